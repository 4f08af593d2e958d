// Package carriersim is a SIP carrier on loopback that answers INVITEs by the last digit
// of the called number, so outdial's demo and tests hear every way a call can end over
// real SIP and RTP (sipgo and diago, UDP and TCP):
//
//	0  busy: 486 Busy Here
//	1  answers and listens: plays a short tone, then silence; never hangs up
//	2  rings (180) until the caller cancels (CANCEL, 487)
//	3  invalid number: 404 Not Found
//	4  answers, waits about 1 s, presses "1" by RFC 4733 (first event packet has
//	   duration 0, as real gateways send it), then listens
//	5  early media: 183 with SDP and about 2 s of audio, then answers and listens
//	6  trunk failure: 503 Service Unavailable
//	7  answers and hangs up (BYE) after 3 s
//	8  rejected: 603 Decline
//	9  answers, speaks (a tone) for 2 s, then hangs up (BYE)
//
// Answering digits ring (180) for 0.5 s first. Every wait is multiplied by
// Config.TimeScale. With a password set, every INVITE is first challenged with 401.
package carriersim

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
	"github.com/outdial/outdial"
)

// DefaultAddr is where the simulator listens when Config names no address.
const DefaultAddr = "127.0.0.1:5080"

// Config sets up a simulator.
type Config struct {
	// ListenAddr is the host:port of SIP over both UDP and TCP ("" means DefaultAddr;
	// port 0 picks one free port for both). RTP binds to the same host.
	ListenAddr string
	// Username and Password, when Password is set, make every INVITE answer 401 with a
	// digest challenge first; only these credentials get through.
	Username, Password string
	// TimeScale multiplies every wait of the plan (0 means 1; 0.1 runs ten times faster).
	TimeScale float64
	// MaxRing bounds how long digit 2 rings before answering 480 (default 2 min, not scaled).
	MaxRing time.Duration
	// MaxCall bounds how long a call the caller never hangs up lasts (default 10 min).
	MaxCall time.Duration
	// Logger receives the simulator's logs (nil: discard).
	Logger *slog.Logger
}

// Stats counts what the simulator did, for tests and the demo.
type Stats struct {
	// Calls counts authorised INVITEs by the result the caller should see.
	Calls map[outdial.Result]int
	// Challenged counts INVITEs answered 401 (challenges and refused credentials).
	Challenged int
	// Cancelled counts ringing calls the caller cancelled.
	Cancelled int
	// Hangups counts calls the simulator itself hung up (digits 7 and 9).
	Hangups int
	// DTMFSent counts keys pressed (digit 4).
	DTMFSent int
	// AudioPackets counts RTP packets received from callers.
	AudioPackets int64
}

// Sim is a running carrier simulator.
type Sim struct {
	cfg  Config
	log  *slog.Logger
	ua   *sipgo.UserAgent
	srv  *sipgo.Server
	dg   *diago.Diago
	auth *diago.DigestAuthServer
	udp  net.PacketConn
	tcp  net.Listener
	addr string
	port int

	ctx     context.Context // cancelled by Close: live calls hang up
	cancel  context.CancelFunc
	calls   sync.WaitGroup
	serve   sync.WaitGroup
	mu      sync.Mutex
	stats   Stats
	started bool
	closed  bool
}

// New binds the simulator's SIP ports; Start serves them.
func New(cfg Config) (*Sim, error) {
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = DefaultAddr
	}
	if cfg.TimeScale <= 0 {
		cfg.TimeScale = 1
	}
	if cfg.MaxRing <= 0 {
		cfg.MaxRing = 2 * time.Minute
	}
	if cfg.MaxCall <= 0 {
		cfg.MaxCall = 10 * time.Minute
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	udp, tcp, err := sipnet.ListenPair(cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("carriersim: listen %s: %w", cfg.ListenAddr, err)
	}
	host, portStr, _ := net.SplitHostPort(udp.LocalAddr().String())
	port, _ := strconv.Atoi(portStr)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("carriersim"))
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, fmt.Errorf("carriersim: user agent: %w", err)
	}
	s := &Sim{cfg: cfg, log: log, ua: ua, udp: udp, tcp: tcp, addr: udp.LocalAddr().String(), port: port,
		auth: diago.NewDigestServer(), stats: Stats{Calls: map[outdial.Result]int{}}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(log)); err != nil {
		udp.Close()
		tcp.Close()
		ua.Close()
		return nil, fmt.Errorf("carriersim: server: %w", err)
	}
	opts := []diago.DiagoOption{
		diago.WithLogger(log),
		diago.WithServer(s.srv),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{
			media.CodecAudioAlaw, media.CodecAudioUlaw, media.CodecTelephoneEvent8000}}),
	}
	for _, network := range []string{"udp", "tcp"} {
		opts = append(opts, diago.WithTransport(diago.Transport{Transport: network, BindHost: host, BindPort: port}))
	}
	s.dg = diago.NewDiago(ua, opts...)
	return s, nil
}

// Addr returns the host:port the simulator listens on (UDP and TCP).
func (s *Sim) Addr() string { return s.addr }

// Start serves SIP until ctx is cancelled or Close is called; it returns once the
// simulator takes calls.
func (s *Sim) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		return errors.New("carriersim: already started or closed")
	}
	s.started = true
	s.mu.Unlock()
	s.dg.HandleFunc(s.handle)
	s.serve.Add(2)
	go func() { defer s.serve.Done(); s.serveErr("udp", s.srv.ServeUDP(s.udp)) }()
	go func() { defer s.serve.Done(); s.serveErr("tcp", s.srv.ServeTCP(s.tcp)) }()
	context.AfterFunc(ctx, func() { s.Close() })
	tp := s.ua.TransportLayer()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, err := tp.GetConnection("udp", s.addr); err == nil && slices.Contains(tp.ListenPorts("tcp"), s.port) {
			s.log.Info("carrier simulator listening", slog.String("addr", s.addr))
			return nil
		}
	}
	return errors.New("carriersim: SIP listeners did not start")
}

func (s *Sim) serveErr(network string, err error) {
	if err != nil && !errors.Is(err, net.ErrClosed) && s.ctx.Err() == nil {
		s.log.Error("sip listener stopped", slog.String("network", network), slog.Any("error", err))
	}
}

// Close hangs up live calls, waits for them and frees the ports.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.calls.Wait()
	err := errors.Join(s.udp.Close(), s.tcp.Close())
	s.serve.Wait()
	s.auth.Close()
	err = errors.Join(err, s.ua.Close())
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("carriersim: close: %w", err)
	}
	return nil
}

// Stats returns a copy of the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls = make(map[outdial.Result]int, len(s.stats.Calls))
	for k, v := range s.stats.Calls {
		st.Calls[k] = v
	}
	return st
}

func (s *Sim) count(f func(st *Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// scale applies the time scale to a plan wait.
func (s *Sim) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) * s.cfg.TimeScale)
}
