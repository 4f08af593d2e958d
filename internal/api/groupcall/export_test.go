package groupcall

// Test helpers shared with the end-to-end tests of package groupcall_test (which run a
// whole outdial through internal/app, and so cannot live in this package).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Client sends requests to a running dialect at Base ("http://127.0.0.1:port").
type Client struct {
	T    testing.TB
	Base string
}

// Answer is one HTTP answer and, when it is JSON, its envelope.
type Answer struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
	Env    struct {
		StatusCode int             `json:"statusCode"`
		Message    string          `json:"message"`
		Info       json.RawMessage `json:"info"`
	}
}

// Send makes a request to Path with the query (after "?") and the body as is.
func (c Client) Send(method, query string, body []byte) *Answer {
	c.T.Helper()
	req, err := http.NewRequest(method, c.Base+Path+"?"+query, bytes.NewReader(body))
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, query, err)
	}
	defer res.Body.Close()
	a := &Answer{t: c.T, Status: res.StatusCode, Header: res.Header}
	if a.Body, err = io.ReadAll(res.Body); err != nil {
		c.T.Fatal(err)
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(a.Body, &a.Env); err != nil {
			c.T.Fatalf("%s %s: answer is not the envelope: %v: %s", method, query, err, a.Body)
		}
	}
	return a
}

// Call POSTs {"token": token, "data": data} to route (data left out when nil).
func (c Client) Call(token, route string, data any) *Answer {
	c.T.Helper()
	body := map[string]any{"token": token}
	if data != nil {
		body["data"] = data
	}
	b, err := json.Marshal(body)
	if err != nil {
		c.T.Fatal(err)
	}
	return c.Send("POST", "r="+RoutePrefix+route, b)
}

// OK checks a success envelope with HTTP 200 and decodes info into v (if not nil).
func (a *Answer) OK(v any) *Answer {
	a.t.Helper()
	if a.Status != http.StatusOK || a.Env.StatusCode != StatusSuccess {
		a.t.Fatalf("HTTP %d, want 200 with statusCode 0: %s", a.Status, a.Body)
	}
	if v != nil {
		if err := json.Unmarshal(a.Env.Info, v); err != nil {
			a.t.Fatalf("decode info of %s: %v", a.Body, err)
		}
	}
	return a
}

// Fails checks an error envelope with statusCode status (HTTP 200, an empty info, a
// message that starts with the status's title) and returns the message.
func (a *Answer) Fails(status int) string {
	a.t.Helper()
	if a.Status != http.StatusOK || a.Env.StatusCode != status || string(a.Env.Info) != `""` {
		a.t.Fatalf("HTTP %d %s, want HTTP 200 with statusCode %d and info \"\"", a.Status, a.Body, status)
	}
	if title := titleOf(status); !strings.HasPrefix(a.Env.Message, title) {
		a.t.Fatalf("message %q does not start with %q", a.Env.Message, title)
	}
	return a.Env.Message
}

func titleOf(status int) string {
	for _, row := range statusTable {
		if row.status == status {
			return row.title
		}
	}
	return "?"
}

// Outline lists a JSON document's members in order as paths with their JSON types, one a
// line ("info.list[].id string"). An array is outlined by its first element, and every
// other element must have the same outline; an empty array is "[] empty". Two documents
// with the same outline have the same field names, nesting, order and JSON types.
func Outline(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []string
	if err := outline(dec, "", &out); err != nil {
		return "", err
	}
	return strings.Join(out, "\n"), nil
}

func outline(dec *json.Decoder, path string, out *[]string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			*out = append(*out, path+" object")
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				if err := outline(dec, strings.TrimPrefix(path+"."+k.(string), "."), out); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		var first []string
		for n := 0; dec.More(); n++ {
			var elem []string
			if err := outline(dec, path+"[]", &elem); err != nil {
				return err
			}
			if n == 0 {
				first = elem
			} else if strings.Join(elem, "\n") != strings.Join(first, "\n") {
				return fmt.Errorf("%s: element %d has another shape than the first", path, n)
			}
		}
		if first == nil {
			first = []string{path + "[] empty"}
		}
		*out = append(*out, first...)
		_, err = dec.Token()
		return err
	case string:
		*out = append(*out, path+" string")
	case json.Number:
		*out = append(*out, path+" number")
	case bool:
		*out = append(*out, path+" bool")
	case nil:
		*out = append(*out, path+" null")
	}
	return nil
}

// volatile are the values that differ from run to run, by their key, with the form they
// must have: Normalise replaces a string of that form by its placeholder. A value of
// another form or JSON type stays, so a comparison still sees it.
var volatile = map[string]struct {
	form        *regexp.Regexp
	placeholder string
}{
	"id":          {regexp.MustCompile(`^[1-9][0-9]*$`), "<id>"},
	"batch_id":    {regexp.MustCompile(`^[1-9][0-9]*$`), "<id>"},
	"company_id":  {regexp.MustCompile(`^[1-9][0-9]*$`), "<id>"},
	"list":        {regexp.MustCompile(`^[1-9][0-9]*$`), "<id>"}, // task-bound-batch-id-list
	"uniqueid":    {regexp.MustCompile(`^[0-9A-Za-z_]+$`), "<uniqueid>"},
	"update_time": {regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`), "<datetime>"},
	"create_time": {regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`), "<datetime>"},
	"path":        {regexp.MustCompile(`^recordings/[0-9]{4}-[0-9]{2}-[0-9]{2}/[0-9]{14}_[0-9+]+_[0-9]+\.wav$`), "<recording>"},
}

// Normalise rewrites a JSON document indented, its members in their order and numbers
// as written, with its volatile values replaced by placeholders.
func Normalise(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var buf bytes.Buffer
	if err := normalise(dec, &buf, "", 0); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func normalise(dec *json.Decoder, buf *bytes.Buffer, key string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		closing := byte(']')
		if v == '{' {
			closing = '}'
		}
		buf.WriteByte(byte(v))
		n := 0
		for ; dec.More(); n++ {
			if n > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString("\n" + strings.Repeat("  ", depth+1))
			k := key // an array's elements are normalised by the array's key
			if v == '{' {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k = kt.(string)
				writeString(buf, k)
				buf.WriteString(": ")
			}
			if err := normalise(dec, buf, k, depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		if n > 0 {
			buf.WriteString("\n" + strings.Repeat("  ", depth))
		}
		buf.WriteByte(closing)
	case string:
		if r, ok := volatile[key]; ok && r.form.MatchString(v) {
			v = r.placeholder
		}
		writeString(buf, v)
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case nil:
		buf.WriteString("null")
	}
	return nil
}

// writeString writes s as a JSON string, without escaping <, > and &.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	buf.Truncate(buf.Len() - 1) // Encode's newline
}
