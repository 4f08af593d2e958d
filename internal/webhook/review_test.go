package webhook

// Review tests of the dispatcher against README.md's own definition of "delivered" for
// the 2xx formats (native, groupcall, telrobot): "Delivered means the receiver answered
// with a 2xx status within the timeouts ... an answer's body is ignored".

import (
	"net/http"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestSlowBodyAfter200: the receiver answers 200 at once (it has the event) and
// then is slow to finish an answer body the format ignores anyway. The status arrived
// within the read timeout, so by README.md the message is delivered; the dispatcher
// instead waits for the whole body, fails the attempt when the overall deadline passes,
// and retries: the receiver gets the same event twice (or ten times).
func TestSlowBodyAfter200(t *testing.T) {
	r := newRig(t, func(c *Config) { c.ConnectTimeout, c.ReadTimeout = 300*time.Millisecond, 300*time.Millisecond })
	release := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"ok":true`))
		w.(http.Flusher).Flush()
		select { // a slow tail of the body (a logging proxy, a chunked answer still streaming)
		case <-release:
		case <-time.After(2 * time.Second):
		}
		w.Write([]byte(`}`))
	})
	t.Cleanup(func() { close(release) }) // runs before the receiver closes
	sub := r.subscribe(rc.URL+"/hook", nil)
	r.start()
	m := r.enqueue(sub, "", "evt-slow-body")
	as := r.attempts(m.ID, 1)
	if a := as[0]; !a.Delivered {
		t.Errorf("receiver answered 200 within the read timeout; attempt: status %d delivered %v error %q; message %q",
			a.Status, a.Delivered, a.Error, r.message(m.ID).Status)
	}
	if got := r.message(m.ID).Status; got != outdial.OutboxDelivered {
		t.Errorf("message status %q, want delivered", got)
	}
}
