package native

// Security/robustness review tests (independent review). See the review report.

import (
	"net/http"
	"testing"
)

// TestReviewSecScriptVoiceValidated: media.Prompts refuses every voice that is not an
// espeak-ng voice name (validVoice: letters, digits, - _ +, not starting with '-'), so a
// call whose script names such a voice is not placed at all (sipua resolvePrompts ->
// telephony.ErrScript -> result failed, an attempt spent). The API only checks the
// voice's length, so it stores the script with 201, and every contact of every task
// using it then fails at dial time. README invariant 6: bad input gets a clear error and
// changes nothing.
func TestSecScriptVoiceValidated(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	g := a.do("POST", "/api/v1/script-groups", map[string]any{"name": "g"}).id(t)
	for _, voice := range []string{"--help", "-w/tmp/x", "en us", "../../etc", "zh;rm", "cmn\n"} {
		r := a.do("POST", "/api/v1/scripts", map[string]any{"group_id": g, "name": "s",
			"prompts": []map[string]any{{"text": "hello", "voice": voice}}})
		if r.status != http.StatusBadRequest {
			t.Errorf("script with voice %q: HTTP %d %s; want 400 invalid (field prompts): the call would fail with "+
				"\"media: bad prompt: voice\" at dial time", voice, r.status, r.body)
		}
	}
}
