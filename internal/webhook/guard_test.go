package webhook

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

func TestGuardClasses(t *testing.T) {
	none, loop, priv, all := Guard{}, Guard{AllowLoopback: true}, Guard{AllowPrivate: true}, Guard{AllowLoopback: true, AllowPrivate: true}
	cases := []struct {
		addr string
		kind string // refused as, by the strict policy
		by   []Guard
	}{
		{"8.8.8.8", "", nil},
		{"2001:4860:4860::8888", "", nil},
		{"127.0.0.1", "loopback", []Guard{loop, all}},
		{"127.8.9.10", "loopback", []Guard{loop, all}},
		{"::1", "loopback", []Guard{loop, all}},
		{"::ffff:127.0.0.1", "loopback", []Guard{loop, all}},
		{"10.0.0.1", "private", []Guard{priv, all}},
		{"172.16.5.4", "private", []Guard{priv, all}},
		{"172.31.255.255", "private", []Guard{priv, all}},
		{"192.168.1.1", "private", []Guard{priv, all}},
		{"100.64.0.1", "private", []Guard{priv, all}}, // RFC 6598 carrier-grade NAT
		{"100.127.255.254", "private", []Guard{priv, all}},
		{"fc00::1", "private", []Guard{priv, all}},
		{"fd12:3456::1", "private", []Guard{priv, all}},
		{"::ffff:10.0.0.1", "private", []Guard{priv, all}},
		{"64:ff9b::a00:1", "private", []Guard{priv, all}}, // NAT64 of 10.0.0.1
		{"2002:a00:1::1", "private", []Guard{priv, all}},  // 6to4 of 10.0.0.1
		{"169.254.169.254", "link-local", nil},            // cloud metadata
		{"169.254.1.1", "link-local", nil},
		{"fe80::1", "link-local", nil},
		{"64:ff9b::a9fe:a9fe", "link-local", nil}, // NAT64 of the metadata address
		{"0.0.0.0", "unspecified", nil},
		{"0.1.2.3", "unspecified", nil},
		{"::", "unspecified", nil},
		{"224.0.0.1", "link-local", nil}, // link-local multicast
		{"233.252.0.1", "multicast", nil},
		{"239.1.2.3", "multicast", nil},
		{"ff05::2", "multicast", nil},
		{"ff02::1", "link-local", nil},
		{"255.255.255.255", "reserved", nil},
		{"240.0.0.1", "reserved", nil},
		{"172.32.0.1", "", nil},
		{"100.128.0.1", "", nil},
	}
	for _, tc := range cases {
		addr := netip.MustParseAddr(tc.addr)
		err := none.Check(addr)
		if tc.kind == "" {
			if err != nil {
				t.Errorf("%s refused: %v", tc.addr, err)
			}
			continue
		}
		want := "refused: " + addr.String() + " is a " + tc.kind + " address"
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", tc.addr, err, want)
		}
		for _, g := range []Guard{loop, priv, all} {
			allowed := false
			for _, b := range tc.by {
				allowed = allowed || b == g
			}
			if err := g.Check(addr); (err == nil) != allowed {
				t.Errorf("%s with %+v: %v, want allowed=%v", tc.addr, g, err, allowed)
			}
		}
	}
}

// TestRefusedAddresses: deliveries to refused addresses (also through DNS) never leave,
// die at once (refusing again would be pointless) and say why in the delivery log.
func TestRefusedAddresses(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {})
	r := newRig(t, func(c *Config) { c.Guard = Guard{}; c.ConnectTimeout = 200 * time.Millisecond })
	port := rc.URL[strings.LastIndex(rc.URL, ":"):]
	cases := []struct{ url, err string }{
		{rc.URL + "/hook", "refused: 127.0.0.1 is a loopback address"},
		{"http://localhost" + port + "/hook", "is a loopback address"},
		{"http://10.0.0.1:8080/hook", "refused: 10.0.0.1 is a private address"},
		{"http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local address"},
		{"http://[fd00::1]/hook", "refused: fd00::1 is a private address"},
	}
	var msgs []*outdial.OutboxMessage
	for _, tc := range cases {
		msgs = append(msgs, r.enqueue(r.subscribe(tc.url, nil), "", tc.url))
	}
	r.start()
	for i, tc := range cases {
		as := r.attempts(msgs[i].ID, 1)
		m := r.message(msgs[i].ID)
		if len(as) != 1 || !strings.Contains(as[0].Error, tc.err) || !strings.HasPrefix(as[0].Error, "refused: ") ||
			m.Status != outdial.OutboxDead || m.LastError != as[0].Error {
			t.Errorf("%s: message %+v, attempts:\n%s", tc.url, m, showAttempts(as))
		}
	}
	if rc.count() != 0 {
		t.Fatalf("the receiver on a refused address got %d requests", rc.count())
	}
}

// TestAllowedWhenConfigured: the operator's policy lets private addresses through.
func TestAllowedWhenConfigured(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Guard = Guard{AllowPrivate: true}; c.ConnectTimeout = 100 * time.Millisecond })
	m := r.enqueue(r.subscribe("http://10.255.255.1:9/hook", nil), "", "e")
	r.start()
	as := r.attempts(m.ID, 1)
	if strings.HasPrefix(as[0].Error, "refused: ") || as[0].Error == "" || r.message(m.ID).Status != outdial.OutboxPending {
		t.Fatalf("a private address allowed by the policy: %s", showAttempts(as))
	}
}
