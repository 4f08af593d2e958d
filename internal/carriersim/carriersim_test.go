package carriersim

import (
	"context"
	"encoding/binary"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/outdial/outdial"
)

func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("OUTDIAL_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: level}))
}

// TestDigit4PressesOneLikeAGateway calls digit 4 with a bare diago client and checks the
// key arrives as RFC 4733 events whose first packet has the marker and duration 0.
func TestDigit4PressesOneLikeAGateway(t *testing.T) {
	sim, err := New(Config{ListenAddr: "127.0.0.1:0", TimeScale: 0.2, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sim.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	dg := diago.NewDiago(ua, diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: 0}),
		diago.WithLogger(testLogger(t)))
	host, port, _ := sip.ParseAddr(sim.Addr())
	d, err := dg.Invite(ctx, sip.Uri{User: "13900000004", Host: host, Port: port}, diago.InviteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := d.RTPPacketReader
	buf := make([]byte, media.RTPBufSize)
	var first []byte
	var marker bool
	ends := 0
	for ends < 3 {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("no DTMF before the media ended: %v", err)
		}
		if r.PacketHeader.PayloadType != media.CodecTelephoneEvent8000.PayloadType {
			continue
		}
		if first == nil {
			first, marker = append([]byte(nil), buf[:n]...), r.PacketHeader.Marker
		}
		if buf[1]&0x80 != 0 {
			ends++
		}
	}
	if first[0] != 1 || binary.BigEndian.Uint16(first[2:]) != 0 || !marker {
		t.Errorf("first event packet %x (marker %v): want key 1, duration 0, marker set", first, marker)
	}
	if err := d.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	d.Close()
	deadline := time.Now().Add(3 * time.Second)
	for sim.Stats().DTMFSent != 1 || sim.Stats().Calls[outdial.ResultAnswered] != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v: want one answered call and one key", sim.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
