package sipua

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// sendInvite sends a bare INVITE over UDP from source (an address on loopback) to the
// UA and returns the status line of its final response.
func sendInvite(t *testing.T, source, target, requestURI string) string {
	t.Helper()
	conn, err := net.ListenPacket("udp", source+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	msg := fmt.Sprintf("INVITE %s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-%d\r\n"+
		"Max-Forwards: 70\r\n"+
		"From: <sip:intruder@%s>;tag=t1\r\n"+
		"To: <%s>\r\n"+
		"Call-ID: %d@%s\r\n"+
		"CSeq: 1 INVITE\r\n"+
		"Contact: <sip:intruder@%s>\r\n"+
		"Content-Length: 0\r\n\r\n",
		requestURI, local, time.Now().UnixNano(), source, requestURI, time.Now().UnixNano(), source, local)
	raddr, _ := net.ResolveUDPAddr("udp", target)
	if _, err := conn.WriteTo([]byte(msg), raddr); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no final response to the INVITE from %s: %v", source, err)
		}
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		if !strings.HasPrefix(line, "SIP/2.0 1") {
			return line
		}
	}
}

func TestInboundInvitesRefused(t *testing.T) {
	gateway := &outdial.Line{ID: 1, Name: "trunk", Gateway: "127.0.0.1:5999", CallerNumbers: []string{"4001"}}
	ua, _ := newTestUA(t, gateway)
	cases := []struct {
		name, source, uri, want string
	}{
		{"stranger", "127.0.0.2", "sip:4001@" + ua.Addr(), "SIP/2.0 403 Forbidden"},
		{"stranger asking to be relayed", "127.0.0.2", "sip:13800000001@198.51.100.7", "SIP/2.0 403 Forbidden"},
		{"a line's gateway", "127.0.0.1", "sip:4001@" + ua.Addr(), "SIP/2.0 480 Temporarily Unavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sendInvite(t, c.source, ua.Addr(), c.uri); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
