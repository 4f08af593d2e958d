// Package sipnet opens the sockets a SIP endpoint listens on: UDP and TCP on one port.
package sipnet

import "net"

// SocketBuffer is the UDP read and write buffer asked for: one goroutine reads every SIP
// datagram, and the default (~200 KB) drops responses when thousands of calls start at
// once. The kernel caps it at net.core.rmem_max and wmem_max.
const SocketBuffer = 8 << 20

// ListenPair listens on addr over UDP and TCP with the same port; port 0 picks one that is
// free for both (retrying a few times when TCP finds the UDP port taken).
func ListenPair(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	for tries := 0; ; tries++ {
		udp, err := net.ListenPacket("udp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, nil, err
		}
		if c, ok := udp.(*net.UDPConn); ok {
			c.SetReadBuffer(SocketBuffer)
			c.SetWriteBuffer(SocketBuffer)
		}
		_, got, _ := net.SplitHostPort(udp.LocalAddr().String())
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, got))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if port != "0" || tries == 20 {
			return nil, nil, err
		}
	}
}
