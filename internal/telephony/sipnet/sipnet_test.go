package sipnet

import (
	"net"
	"testing"
)

func TestListenPairSharesOnePort(t *testing.T) {
	for i := 0; i < 20; i++ {
		udp, tcp, err := ListenPair("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, up, _ := net.SplitHostPort(udp.LocalAddr().String())
		_, tp, _ := net.SplitHostPort(tcp.Addr().String())
		udp.Close()
		tcp.Close()
		if up != tp || up == "0" {
			t.Fatalf("UDP on %s, TCP on %s", up, tp)
		}
	}
	if _, _, err := ListenPair("nohost"); err == nil {
		t.Fatal("an address without a port was accepted")
	}
}
