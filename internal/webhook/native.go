package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
)

// Headers of a native webhook delivery.
const (
	HeaderEventID   = "X-Outdial-Event-Id"
	HeaderEventType = "X-Outdial-Event-Type"
	HeaderTimestamp = "X-Outdial-Timestamp" // Unix seconds of this attempt
	HeaderSignature = "X-Outdial-Signature" // "v1=" + hex HMAC-SHA256(secret, timestamp + "." + body)
)

// EventTest is the type of the event POST /api/v1/webhooks/{id}/test sends.
const EventTest = "webhook.test"

// NativeEvents are the event types a native subscription can ask for.
var NativeEvents = []string{outdial.EventCallStarted, outdial.EventCallRinging, outdial.EventCallAnswered,
	outdial.EventCallEnded, outdial.EventTaskStarted, outdial.EventTaskStopped, outdial.EventTaskFinished}

// Native is outdial's own webhook format: a JSON envelope {"id", "type", "created_at",
// "data"} whose data is the message's payload, signed with the subscription's secret.
// Any 2xx answer means delivered.
type Native struct{}

// Name returns "native".
func (Native) Name() string { return "native" }

// Build renders m's envelope and signs it for an attempt made at now; without a
// subscription (or secret) it is sent unsigned.
func (Native) Build(m *outdial.OutboxMessage, sub *outdial.Subscription, now time.Time) ([]byte, http.Header, error) {
	data := m.Payload
	if len(data) == 0 {
		data = []byte("{}")
	}
	if !json.Valid(data) {
		return nil, nil, fmt.Errorf("native webhook: payload of message %d is not JSON", m.ID)
	}
	// The envelope is written by hand: the payload is JSON already, and this runs for
	// every attempt.
	id, _ := json.Marshal(m.EventID)
	typ, _ := json.Marshal(m.EventType)
	body := make([]byte, 0, len(data)+len(id)+len(typ)+64)
	body = append(body, `{"id":`...)
	body = append(body, id...)
	body = append(body, `,"type":`...)
	body = append(body, typ...)
	body = append(body, `,"created_at":"`...)
	body = m.CreatedAt.UTC().AppendFormat(body, time.RFC3339Nano)
	body = append(body, `","data":`...)
	body = append(body, data...)
	body = append(body, '}')
	h := make(http.Header, 6)
	h["Content-Type"] = []string{"application/json"}
	h[HeaderEventID] = []string{m.EventID}
	h[HeaderEventType] = []string{m.EventType}
	ts := strconv.FormatInt(now.Unix(), 10)
	h[HeaderTimestamp] = []string{ts}
	if sub != nil && sub.Secret != "" {
		h[HeaderSignature] = []string{Sign(sub.Secret, ts, body)}
	}
	return body, h, nil
}

// Delivered reports whether status is 2xx.
func (Native) Delivered(status int, _ []byte) bool { return status >= 200 && status <= 299 }

// Sign returns the X-Outdial-Signature value of body sent at timestamp (Unix seconds, as
// in X-Outdial-Timestamp): "v1=" and the hex HMAC-SHA256 of timestamp + "." + body.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a native delivery as a receiver should: the signature header holds a v1
// signature of timestamp and body with secret, and the timestamp is within tolerance of
// now (to refuse replays). It compares in constant time.
func Verify(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: missing or bad %s", HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook: timestamp %s is %v away from now", ts, d.Round(time.Second))
	}
	want := Sign(secret, ts, body)
	for _, got := range strings.Split(header.Get(HeaderSignature), ",") {
		if hmac.Equal([]byte(strings.TrimSpace(got)), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("webhook: signature does not match")
}
