package native

import (
	"bytes"
	"io"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/phoneinfo"
	"github.com/outdial/outdial/internal/store/sqlstore"
)

// decoders is a Handler whose resources can decode bodies; it never reaches a store.
func decoders() *Handler { return &Handler{store: (*sqlstore.Store)(nil)} }

// fuzzDecode checks one body decoder: it never panics, refuses with an EINVALID or
// ETOOLARGE error that has a message, and whatever it accepts passes the domain's
// Validate.
func fuzzDecode[D any](f *testing.F, parse func(io.Reader, *D) error, validate func(*D) error, seeds ...string) {
	seeds = append(seeds, `{}`, `null`, `[]`, `{"name":1}`, `{"name":"x"} x`, `{"nope":1}`, "")
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var d D
		err := parse(bytes.NewReader(body), &d)
		if err != nil {
			if code := outdial.ErrorCode(err); (code != outdial.EINVALID && code != outdial.ETOOLARGE) || outdial.ErrorMessage(err) == "" {
				t.Fatalf("refused %q with %v (code %q)", body, err, code)
			}
			return
		}
		if err := validate(&d); err != nil {
			t.Fatalf("accepted %q, but Validate says %v", body, err)
		}
	})
}

func FuzzDecodeTenant(f *testing.F) {
	fuzzDecode(f, func(r io.Reader, t *outdial.Tenant) error {
		var in tenantIn
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		return fillTenant(&in, t)
	}, (*outdial.Tenant).Validate, `{"name":"acme","cap_per_hour":1,"cap_per_day":3}`, `{"name":"a","cap_per_day":-1}`)
}

func FuzzDecodeProject(f *testing.F) {
	fuzzDecode(f, decoders().projects().parse, (*outdial.Project).Validate, `{"name":"spring"}`)
}

func FuzzDecodeLine(f *testing.F) {
	fuzzDecode(f, decoders().lines().parse, (*outdial.Line).Validate,
		`{"name":"l","gateway":"10.0.0.1:5060","transport":"TCP","password":"p","caller_numbers":["01012345678"],"concurrency":3,"calls_per_second":1.5,"valid_from":"2026-03-01T08:00:00+08:00","valid_until":"2027-03-01T00:00:00Z"}`,
		`{"name":"l","gateway":"[::1]:5060","caller_numbers":[""],"concurrency":1}`,
		`{"name":"l","gateway":"h:1","caller_numbers":["1"],"concurrency":1,"valid_from":"2027-01-01T00:00:00Z","valid_until":"2026-01-01T00:00:00Z"}`)
}

func FuzzDecodeTimeGroup(f *testing.F) {
	fuzzDecode(f, decoders().timeGroups().parse, (*outdial.TimeGroup).Validate,
		`{"name":"lunch","ranges":[{"weekdays":[1,2,3,4,5],"start":"12:00:00","end":"13:30:00"}]}`,
		`{"name":"n","ranges":[{"weekdays":[7,0],"start":"22:00","end":"24:00:00"},{"start":"24:00:00","end":"01:00:00"}]}`,
		`{"name":"n","ranges":[{"weekdays":[-1],"start":"1","end":"2"}]}`)
}

func FuzzDecodeRecallRule(f *testing.F) {
	fuzzDecode(f, decoders().recallRules().parse, (*outdial.RecallRule).Validate,
		`{"name":"r","results":["busy","no_answer"],"intervals":[600,3600],"max_attempts":3}`,
		`{"name":"r","enabled":false,"results":["answered"],"max_attempts":2,"intervals":[-5]}`)
}

func FuzzDecodeAgentGroup(f *testing.F) {
	fuzzDecode(f, decoders().agentGroups().parse, (*outdial.AgentGroup).Validate,
		`{"name":"sales","line_id":1,"status":0,"agents":[{"name":"Li","extension":"8001"}]}`,
		`{"name":"g","agents":[{"name":"x"}]}`)
}

func FuzzDecodeScriptGroup(f *testing.F) {
	fuzzDecode(f, decoders().scriptGroups().parse, (*outdial.ScriptGroup).Validate, `{"name":"g","debug":true,"is_default":true}`)
}

func FuzzDecodeScript(f *testing.F) {
	fuzzDecode(f, decoders().scripts().parse, (*outdial.Script).Validate,
		`{"group_id":1,"name":"s","prompts":[{"text":"您好","wait_keys":true,"max_keys":1,"timeout_secs":5},{"audio":"a/b.wav","voice":"cmn"}]}`,
		`{"group_id":1,"name":"s","prompts":[{"audio":"../x.wav"}]}`)
}

func FuzzDecodeTask(f *testing.F) {
	fuzzDecode(f, decoders().tasks().parse, (*outdial.Task).Validate,
		`{"name":"t","line_id":1,"script_group_id":2,"time_group_id":3,"recall_rule_id":4,"agent_group_id":5,"max_concurrency":4,"pause_seconds":2,"ring_timeout_seconds":30,"window":{"start":"08:30:00","end":"19:30:00"},"time_zone":"Asia/Shanghai","caller_number":"021","notify_url":"https://example.com/x","notify_type":1}`,
		`{"name":"t","line_id":1,"script_group_id":2,"window":{"start":"20:00","end":"02:00"},"time_zone":"UTC"}`,
		`{"name":"t","line_id":1,"script_group_id":2,"window":{"start":"24:00:00","end":"24:00:00"}}`,
		`{"name":"t","line_id":1,"script_group_id":2,"time_zone":"../../etc/passwd"}`)
}

func FuzzDecodeBatch(f *testing.F) {
	fuzzDecode(f, decoders().batches().parse, (*outdial.Batch).Validate, `{"task_id":1,"name":"march"}`)
}

func FuzzDecodeBlockedNumber(f *testing.F) {
	fuzzDecode(f, func(r io.Reader, b *outdial.BlockedNumber) error {
		var in blockedIn
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		return parseBlocked(&in, b)
	}, func(b *outdial.BlockedNumber) error {
		if n, err := phoneinfo.Normalize(b.Phone); err != nil || n != b.Phone || len(b.Reason) > 500 {
			return outdial.FieldErrorf("phone", "not normalised: %q", b.Phone)
		}
		return nil
	}, `{"phone":"+86 188 5149 8762","reason":"complaint"}`, `{"phone":"12345"}`)
}
