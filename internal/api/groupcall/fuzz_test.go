package groupcall

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/outdial/outdial"
)

// refusedWell fails the test unless err is a refusal a client is told about: statusCode
// 1003, 1004 or 1007 with a message.
func refusedWell(t *testing.T, body []byte, err error) {
	t.Helper()
	switch row := classify(err); {
	case row.status != StatusMalformed && row.status != StatusInvalid && row.status != StatusTooLarge:
		t.Fatalf("refused %q with statusCode %d: %v", body, row.status, err)
	case outdial.ErrorMessage(err) == "" || outdial.ErrorMessage(err) == "Internal error.":
		t.Fatalf("refused %q without a message: %v", body, err)
	}
}

// FuzzDecodeRequest feeds any body to the request decoder and then its data to every
// route's parser: nothing panics, a refusal is a documented one with a message, and what
// is accepted keeps the documented limits.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"token":"b9f43e6f11e111ec906b00163e1260a0"}`,
		`{"token":"t","data":{"id":"59"}}`,
		`{"token":"t","data":{"id":59,"name":"api_create_test"}}`,
		`{"token":"t","data":{"id":"59","batch_id":"659","data_list":[{"name":"customer name","phone":"18851498762","address":"","state":"","callback_url":"http://www.baidu.com","email":""}]}}`,
		`{"token":"t","data":{"id":"59","type":"1","search_date":"2022-03-28","call_result":"1","page":"1","page_size":"10"}}`,
		`{"token":"t","data":{"path":"recordings/2022-03-28/20220328112844_18851498762_1.wav"}}`,
		`{"token":"t","data":{"id":true}}`, `{"token":"t","data":{"id":-0}}`, `{"token":"t","data":[]}`, `{"token":1}`,
		`{"token":"t","data":{"id":"59","page":"99999999999999999999"}}`, `null`, `[]`, `{}`, ``, `{"a":1} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeRequest(bytes.NewReader(body))
		if err != nil {
			refusedWell(t, body, err)
			return
		}
		if len(req.Data) > 0 && !json.Valid(req.Data) {
			t.Fatalf("accepted %q with data that is not JSON", body)
		}
		if id, err := parseTask(req.Data); err != nil {
			refusedWell(t, body, err)
		} else if id <= 0 {
			t.Fatalf("accepted task id %d from %q", id, body)
		}
		if b, err := parseBatchAdd(req.Data); err != nil {
			refusedWell(t, body, err)
		} else if err := b.Validate(); err != nil || b.TaskID <= 0 {
			t.Fatalf("accepted batch %+v from %q: %v", b, body, err)
		}
		if u, err := parseUpload(req.Data); err != nil {
			refusedWell(t, body, err)
		} else if u.taskID <= 0 || u.batchID <= 0 || len(u.rows) > MaxUploadRows {
			t.Fatalf("accepted upload %+v from %q", u, body)
		}
		if q, err := parseRecordList(req.Data); err != nil {
			refusedWell(t, body, err)
		} else if q.taskID <= 0 || q.page < 1 || q.size < 1 || q.size > MaxPageSize || (q.page-1)*q.size > MaxRecordOffset ||
			q.result < 0 || q.result > 2 {
			t.Fatalf("accepted record query %+v from %q", q, body)
		}
		if p, err := parsePath(req.Data); err != nil {
			refusedWell(t, body, err)
		} else if p == "" {
			t.Fatalf("accepted an empty path from %q", body)
		}
	})
}
