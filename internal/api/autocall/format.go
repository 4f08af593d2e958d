package autocall

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// FormatName is the name of the CDR push format in outbox messages and subscriptions.
const FormatName = "autocall"

// Format is the CDR push as a webhook format: it wraps an outbox message's payload (the
// push data JSON) in {"type":1,"sign","timestamp","data"}, encrypting data when the
// subscription asks, and counts a push delivered when the receiver answers 2xx with JSON
// holding "code": 0. Register it with the webhook dispatcher's formats.
type Format struct {
	// Location is the time zone of the push timestamp (Asia/Shanghai when nil).
	Location *time.Location
	// Rand is the source of the encryption IVs (crypto/rand when nil; tests fix it).
	Rand io.Reader
	// Links, when set, signs the record_file link afresh at each attempt, so a retry or a
	// redelivery after the first link's 7 days still carries one that works.
	Links RecordingLinks
}

// Name returns "autocall".
func (Format) Name() string { return FormatName }

// Build renders one delivery attempt made at now: a fresh timestamp, the data (encrypted
// with a fresh IV when sub.Encrypt) and its sign. The body's members come in the order
// type, sign, timestamp, data, with no spaces and no trailing newline, so the text of
// data runs from after the first `"data":` to the last `}` but one byte.
func (f Format) Build(m *outdial.OutboxMessage, sub *outdial.Subscription, now time.Time) ([]byte, http.Header, error) {
	if sub == nil {
		return nil, nil, errors.New("autocall push: the message has no subscription (no secret to sign with)")
	}
	if !json.Valid(m.Payload) || len(m.Payload) == 0 || m.Payload[0] != '{' {
		return nil, nil, fmt.Errorf("autocall push: the payload of message %d is not a JSON object", m.ID)
	}
	loc := f.Location
	if loc == nil {
		loc = shanghai
	}
	ts := now.In(loc).Format(timeLayout)
	data := f.resign(m, now)
	if sub.Encrypt {
		if sub.Secret == "" {
			return nil, nil, errors.New("autocall push: encryption needs a secret, and the subscription has none")
		}
		r := f.Rand
		if r == nil {
			r = rand.Reader
		}
		iv := make([]byte, 16)
		if _, err := io.ReadFull(r, iv); err != nil {
			return nil, nil, fmt.Errorf("autocall push: IV: %w", err)
		}
		text, err := Encrypt(sub.Secret, iv, data)
		if err != nil {
			return nil, nil, err
		}
		data = []byte(text)
	}
	var b bytes.Buffer
	b.Grow(len(data) + 96)
	fmt.Fprintf(&b, `{"type":1,"sign":"%s","timestamp":"%s","data":`, Sign(sub.Secret, ts, data), ts)
	if sub.Encrypt {
		b.WriteByte('"')
		b.Write(data)
		b.WriteByte('"')
	} else {
		b.Write(data)
	}
	b.WriteByte('}')
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return b.Bytes(), h, nil
}

// resign returns m's payload with its record_file link signed at now (the payload as stored
// when there are no Links, no link, or it cannot be read).
func (f Format) resign(m *outdial.OutboxMessage, now time.Time) []byte {
	if f.Links == nil || !bytes.Contains(m.Payload, []byte(`"record_file":"http`)) {
		return m.Payload
	}
	var d pushData
	if json.Unmarshal(m.Payload, &d) != nil || d.RecordFile == "" {
		return m.Payload
	}
	id, err := strconv.ParseInt(d.CallID, 10, 64)
	if err != nil {
		return m.Payload
	}
	d.RecordFile = f.Links.URLAt(m.TenantID, id, now)
	b, err := marshalASCII(d)
	if err != nil {
		return m.Payload
	}
	return b
}

// Delivered reports whether the receiver took the push: a 2xx answer whose body is a JSON
// object with a member named exactly "code" equal to 0 (the number, or the string "0"),
// given once. The answer is judged on what the dispatcher read of it (its first 64 KiB):
// a "code" member read in full counts even if the object goes on past that.
func (Format) Delivered(status int, body []byte) bool {
	if status < 200 || status > 299 {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	var code json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break // the answer was cut off (or is not JSON) here
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		if tok == "code" {
			if code != nil {
				return false // two codes: which one would the receiver mean?
			}
			code = v
		}
	}
	var n float64
	if len(code) == 0 || string(code) == "null" {
		return false
	} else if json.Unmarshal(code, &n) == nil {
		return n == 0
	}
	var s string
	return json.Unmarshal(code, &s) == nil && s == "0"
}
