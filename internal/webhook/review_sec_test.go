package webhook

// Security review (independent review): hardening checks of the address guard. They fail
// today but are not exploitable on a default Linux host (the kernel does not route these
// forms without a tunnel or a NAT64/SIIT translator), and were hardened anyway
// (guard.go embeddedV4, Teredo refused).

import (
	"net/netip"
	"testing"
)

func TestSecGuardEmbeddedIPv4Forms(t *testing.T) {
	for _, a := range []string{
		"::127.0.0.1",                          // IPv4-compatible (deprecated, RFC 4291 2.5.5.1)
		"::a00:1",                              // IPv4-compatible 10.0.0.1
		"::ffff:0:a9fe:a9fe",                   // IPv4-translated (SIIT, RFC 2765) 169.254.169.254
		"64:ff9b:1::a9fe:a9fe",                 // NAT64 local-use prefix (RFC 8215) of the metadata address
		"2001:0:4136:e378:8000:63bf:f5ff:fffe", // Teredo, client 10.0.0.1 (obfuscated)
	} {
		if err := (Guard{}).Check(netip.MustParseAddr(a)); err == nil {
			t.Errorf("the zero Guard allows %s, which embeds a loopback/private/link-local IPv4 address", a)
		}
	}
}
