// SPDX-License-Identifier: MIT
// The Java side of the JNI peer (jni_callback.c): the empty handler a C
// thread calls.
public class Empty {
  public static void empty() {}
}
