package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Guard is the address policy for delivery URLs, which customers choose (even per
// contact). It is checked on the address actually dialled, after DNS, so a name that
// resolves to a private address is refused like the address itself. Link-local
// addresses (cloud metadata at 169.254.169.254 among them), unspecified, multicast,
// broadcast and reserved addresses are always refused; loopback and private ranges only
// when the operator allows them.
type Guard struct {
	// AllowLoopback allows 127.0.0.0/8 and ::1 (the demo and the tests deliver there).
	AllowLoopback bool
	// AllowPrivate allows RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared
	// address space (100.64/10, carrier-grade NAT) and IPv6 unique local (fc00::/7).
	AllowPrivate bool
}

// RefusedError is a delivery refused by the address policy.
type RefusedError struct {
	Addr netip.Addr
	Kind string // "loopback", "private", "link-local" ...
}

// Error says which address was refused and why: "refused: 10.0.0.1 is a private address".
func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused: %s is a %s address", e.Addr, e.Kind)
}

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	thisNet   = netip.MustParsePrefix("0.0.0.0/8")
	reserved  = netip.MustParsePrefix("240.0.0.0/4") // includes 255.255.255.255
	ietf      = netip.MustParsePrefix("192.0.0.0/24")
	benchmark = netip.MustParsePrefix("198.18.0.0/15")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	nat64Loc  = netip.MustParsePrefix("64:ff9b:1::/48")
	v4compat  = netip.MustParsePrefix("::/96")
	siit      = netip.MustParsePrefix("::ffff:0:0:0/96") // IPv4-translated (RFC 2765)
	sixToF    = netip.MustParsePrefix("2002::/16")
	teredo    = netip.MustParsePrefix("2001::/32")
	siteLoc   = netip.MustParsePrefix("fec0::/10")
)

// embeddedV4 returns the IPv4 address an IPv6 address carries (NAT64, IPv4-compatible,
// SIIT, 6to4), if it is of such a form.
func embeddedV4(addr netip.Addr) (netip.Addr, bool) {
	b := addr.As16()
	switch {
	case nat64.Contains(addr), nat64Loc.Contains(addr), siit.Contains(addr),
		v4compat.Contains(addr) && addr != netip.IPv6Unspecified() && addr != netip.IPv6Loopback():
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToF.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// Check returns a *RefusedError if the policy refuses addr, nil if it may be dialled.
func (g Guard) Check(addr netip.Addr) error {
	if kind := g.refused(addr); kind != "" {
		return &RefusedError{Addr: addr, Kind: kind}
	}
	return nil
}

// refused names the class of a refused address, "" if the policy allows it.
func (g Guard) refused(addr netip.Addr) string {
	addr = addr.Unmap()
	// IPv6 forms that carry an IPv4 address are judged by that address; Teredo tunnels
	// (whose IPv4 addresses are obfuscated) are refused.
	if addr.Is6() {
		if v4, ok := embeddedV4(addr); ok {
			if kind := g.refused(v4); kind != "" {
				return kind
			}
		}
		if teredo.Contains(addr) {
			return "tunnel (Teredo)"
		}
	}
	switch {
	case !addr.IsValid():
		return "invalid"
	case addr.IsUnspecified() || addr.Is4() && thisNet.Contains(addr):
		return "unspecified"
	case addr.IsLoopback():
		if g.AllowLoopback {
			return ""
		}
		return "loopback"
	case addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return "link-local"
	case addr.IsMulticast() || addr.IsInterfaceLocalMulticast():
		return "multicast"
	case addr.Is4() && (reserved.Contains(addr) || ietf.Contains(addr) || benchmark.Contains(addr)):
		return "reserved"
	case addr.IsPrivate() || cgnat.Contains(addr) || siteLoc.Contains(addr):
		if g.AllowPrivate {
			return ""
		}
		return "private"
	}
	return ""
}

// control is a net.Dialer Control function that refuses what the policy refuses. It sees
// every address the dialer tries, after name resolution.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refused: cannot read the dialled address %q", address)
	}
	return g.Check(ap.Addr())
}

// dialer returns a DialContext that connects within timeout and only where the policy
// allows.
func (g Guard) dialer(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
	return d.DialContext
}
