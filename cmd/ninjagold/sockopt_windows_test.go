package main

import "syscall"

// setReceiveBuffer sets a socket's receive buffer (SO_RCVBUF) to size bytes.
// Windows takes the socket as a Handle where Unix takes an int.
func setReceiveBuffer(fd uintptr, size int) error {
	return syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, size)
}
