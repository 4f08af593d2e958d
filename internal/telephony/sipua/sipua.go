// Package sipua places outdial's calls over real SIP and RTP, on sipgo and diago: INVITE
// with digest auth, CANCEL at the ring timeout, 183 early media, PCMA/PCMU, prompts from
// WAV files or TTS, RFC 4733 DTMF (tolerant of events whose first packet has duration 0),
// stereo recording and BYE. It takes no inbound calls: INVITEs from a line's gateway get
// 480 and all others 403.
package sipua

import (
	"context"
	"errors"
	"fmt"
	"github.com/outdial/outdial/internal/telephony/sipnet"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"

	omedia "github.com/outdial/outdial/internal/media"
)

// DefaultListenAddr is where the UA listens for SIP (UDP and TCP) when Config names none.
const DefaultListenAddr = "127.0.0.1:5070"

// Config sets up a UA.
type Config struct {
	// ListenAddr is the host:port of SIP over both UDP and TCP ("" means DefaultListenAddr;
	// port 0 picks one free port for both). RTP binds to the same host.
	ListenAddr string
	// ExternalHost, when set, is the address put in Contact, Via and SDP instead of the
	// listen host (behind NAT).
	ExternalHost string
	// RTPPortMin and RTPPortMax bound the RTP ports (0: any free port). diago keeps this
	// range process-wide: the last UA created sets it.
	RTPPortMin, RTPPortMax int
	// DataDir holds prompts/ and recordings (Request.RecordingPath is relative to it).
	DataDir string
	// Voice is the default TTS voice (espeak-ng name; "" means Mandarin, "cmn").
	Voice string
	// Logger receives the UA's logs (nil: discard). Passwords are never logged.
	Logger *slog.Logger
	// Lines returns the configured lines; an inbound INVITE from one of their gateways is
	// answered 480 instead of 403. Nil means no line is trusted.
	Lines func() []*outdial.Line
	// HangupTimeout bounds the BYE and CANCEL exchanges at the end of a call (default 5 s).
	HangupTimeout time.Duration
}

// UA is a SIP user agent that places calls; it implements telephony.Originator. It is
// safe for concurrent use.
type UA struct {
	cfg     Config
	log     *slog.Logger
	dg      *diago.Diago
	ua      *sipgo.UserAgent
	prompts *omedia.Prompts
	udp     net.PacketConn
	tcp     net.Listener
	addr    string

	promptCache promptCache // recently resolved prompts and their audio

	ctx    context.Context // cancelled by Close: live calls end
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	calls  sync.WaitGroup
	serve  sync.WaitGroup
	stats  mediaCounters
	// acks holds, by Call-ID, the dialogs whose ACK is being written (see acking).
	ackMu sync.Mutex
	acks  map[string]chan struct{}
}

var _ telephony.Originator = (*UA)(nil)

// New starts a UA listening on cfg.ListenAddr. Close it to hang up live calls and free
// its ports.
func New(cfg Config) (*UA, error) {
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = DefaultListenAddr
	}
	if cfg.HangupTimeout <= 0 {
		cfg.HangupTimeout = 5 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.RTPPortMin > 0 && cfg.RTPPortMax > cfg.RTPPortMin {
		media.RTPPortStart, media.RTPPortEnd = cfg.RTPPortMin, cfg.RTPPortMax
	}
	udp, tcp, err := sipnet.ListenPair(cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("sipua: listen %s: %w", cfg.ListenAddr, err)
	}
	host, portStr, _ := net.SplitHostPort(udp.LocalAddr().String())
	port, _ := strconv.Atoi(portStr)

	ua, err := sipgo.NewUA(sipgo.WithUserAgent("outdial"))
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, fmt.Errorf("sipua: user agent: %w", err)
	}
	u := &UA{cfg: cfg, log: log, ua: ua, udp: udp, tcp: tcp, addr: udp.LocalAddr().String(),
		prompts: omedia.NewPrompts(cfg.DataDir, cfg.Voice, log)}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		udp.Close()
		tcp.Close()
		ua.Close()
		return nil, fmt.Errorf("sipua: server: %w", err)
	}
	opts := []diago.DiagoOption{
		diago.WithLogger(log),
		diago.WithServer(srv),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{
			media.CodecAudioAlaw, media.CodecAudioUlaw, media.CodecTelephoneEvent8000}}),
		diago.WithServerRequestMiddleware(u.inboundFilter),
	}
	for _, network := range []string{"udp", "tcp"} {
		opts = append(opts, diago.WithTransport(diago.Transport{
			Transport: network, BindHost: host, BindPort: port,
			ExternalHost: cfg.ExternalHost, ExternalPort: port,
		}))
	}
	u.dg = diago.NewDiago(ua, opts...)
	u.dg.HandleFunc(func(d *diago.DialogServerSession) {}) // never reached: inboundFilter answers
	u.serve.Add(2)
	go func() { defer u.serve.Done(); u.serveErr("udp", srv.ServeUDP(udp)) }()
	go func() { defer u.serve.Done(); u.serveErr("tcp", srv.ServeTCP(tcp)) }()
	if err := waitServing(ua.TransportLayer(), u.addr, port); err != nil {
		u.Close()
		return nil, fmt.Errorf("sipua: %w", err)
	}
	log.Info("sip listening", slog.String("addr", u.addr))
	return u, nil
}

// Addr returns the host:port the UA listens on (UDP and TCP).
func (u *UA) Addr() string { return u.addr }

func (u *UA) serveErr(network string, err error) {
	if err != nil && !errors.Is(err, net.ErrClosed) && u.ctx.Err() == nil {
		u.log.Error("sip listener stopped", slog.String("network", network), slog.Any("error", err))
	}
}

// Close ends live calls (CANCEL or BYE, each reporting its Ended), waits for them, then
// stops listening. Calls placed after Close end at once as failed.
func (u *UA) Close() error {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil
	}
	u.closed = true
	u.mu.Unlock()
	u.cancel()
	u.calls.Wait()
	err := errors.Join(u.udp.Close(), u.tcp.Close())
	u.serve.Wait()
	if cerr := u.ua.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("sipua: close: %w", err)
	}
	return nil
}

// waitServing waits until sipgo has taken the UDP listener into its pool (requests are
// sent from it) and the TCP listener's port: a call placed earlier would try to bind
// the listening address again.
func waitServing(tp *sip.TransportLayer, udpAddr string, port int) error {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		_, err := tp.GetConnection("udp", udpAddr)
		if err == nil && slices.Contains(tp.ListenPorts("tcp"), port) {
			return nil
		}
	}
	return errors.New("SIP listeners did not start")
}
