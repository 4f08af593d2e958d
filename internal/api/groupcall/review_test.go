package groupcall

// Review tests: README.md "Strict bodies: a key the document does not show (in the body,
// in data, in a row of data_list) is refused, so a typo is an error rather than a silently
// ignored value" (1003). encoding/json matches keys to struct tags case-insensitively, so
// keys the document does not show ("ID", "Token", "PHONE") are taken as if they were the
// documented ones, and with both present the last one silently wins.

import (
	"fmt"
	"testing"
)

func TestStrictKeysAreCaseSensitive(t *testing.T) {
	e := newEnv(t)
	a := e.account("acme")
	id := fmt.Sprint(a.task.ID)
	for _, c := range []struct {
		name  string
		route string
		body  string
	}{
		{"data key ID", "task-info", `{"token":"` + a.token + `","data":{"ID":"` + id + `"}}`},
		{"body key Token", "task-list", `{"Token":"` + a.token + `"}`},
		{"body key DATA", "task-info", `{"token":"` + a.token + `","DATA":{"id":"` + id + `"}}`},
		{"row key PHONE", "upload-data", `{"token":"` + a.token + `","data":{"id":"` + id + `","batch_id":"` +
			fmt.Sprint(a.batch.ID) + `","data_list":[{"PHONE":"18851498762"}]}}`},
	} {
		ans := e.Send("POST", "r=groupcall/"+c.route, []byte(c.body))
		if ans.Env.StatusCode != StatusMalformed {
			t.Errorf("%s: %s answered statusCode %d (%s), want %d: the document has no such key",
				c.name, c.body, ans.Env.StatusCode, ans.Body, StatusMalformed)
		}
	}
	// Both spellings: the undocumented one, coming last, silently replaces the id sent.
	ans := e.Send("POST", "r=groupcall/task-info", []byte(`{"token":"`+a.token+`","data":{"id":"`+id+`","Id":"999"}}`))
	if ans.Env.StatusCode != StatusMalformed {
		t.Errorf(`data {"id":%q,"Id":"999"} answered %s, want %d (unknown key "Id")`, id, ans.Body, StatusMalformed)
	}
}
