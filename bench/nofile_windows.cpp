// SPDX-License-Identifier: MIT
// Windows has no limit on open descriptors to raise: sockets are handles,
// bounded by memory only (as Go's net peer does nothing there either).
void raiseNofileLimit() {}
