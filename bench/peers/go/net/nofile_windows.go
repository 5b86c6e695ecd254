// SPDX-License-Identifier: MIT

package main

// raiseNofileLimit does nothing: Windows has no limit on open handles to
// raise, sockets included.
func raiseNofileLimit() {}
