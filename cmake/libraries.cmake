# The libraries, from the objects every folder adds to cbridge_objects.
add_library(cbridge SHARED $<TARGET_OBJECTS:cbridge_objects>)
add_library(cbridge_static STATIC $<TARGET_OBJECTS:cbridge_objects>)
set_target_properties(cbridge_static PROPERTIES OUTPUT_NAME cbridge)
foreach(t cbridge cbridge_static)
  target_include_directories(${t} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${t} PUBLIC Threads::Threads PRIVATE Boost::context ${CBRIDGE_SYSTEM_LIBS})
endforeach()
# The static archive's users must link its dependencies themselves.
target_link_libraries(cbridge_static INTERFACE $<LINK_ONLY:Boost::context> ${CBRIDGE_SYSTEM_LIBS})
set_target_properties(cbridge PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION 0)
add_library(cbridge::cbridge ALIAS cbridge)
# The tests, testprogs and benchmarks reach into the runtime's internals.
add_library(cbridge_internal INTERFACE)
target_link_libraries(cbridge_internal INTERFACE cbridge_static)
target_include_directories(cbridge_internal INTERFACE ${PROJECT_SOURCE_DIR})
