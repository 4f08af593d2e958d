package outdial

import "time"

// ScriptGroup is what a task's answered calls run (telrobot's 话术分组). It holds scripts;
// calls run the group's first script.
type ScriptGroup struct {
	ID       int64  `json:"id"`
	TenantID int64  `json:"-"`
	Name     string `json:"name"`
	// Debug makes every prompt of the group's scripts be spoken by TTS, recorded audio or not.
	Debug     bool      `json:"debug"`
	IsDefault bool      `json:"is_default"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the group's fields.
func (g *ScriptGroup) Validate() error {
	if g.Name == "" || len(g.Name) > 200 {
		return FieldErrorf("name", "script group name must be 1 to 200 bytes")
	}
	return nil
}

// Script is an ordered list of prompts. (A call-flow engine with branches comes later.)
type Script struct {
	ID        int64     `json:"id"`
	TenantID  int64     `json:"-"`
	GroupID   int64     `json:"group_id"`
	Name      string    `json:"name"`
	Prompts   []Prompt  `json:"prompts"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Prompt is one step of a script: something said, then optionally a wait for keys.
type Prompt struct {
	// Text is spoken by TTS when Audio is empty or the group is in debug mode.
	Text string `json:"text,omitempty"`
	// Audio is a WAV file under the data directory's prompts/ folder.
	Audio string `json:"audio,omitempty"`
	// Voice is the TTS voice (espeak-ng name), "cmn" (Mandarin) by default.
	Voice string `json:"voice,omitempty"`
	// WaitKeys makes the call wait for up to MaxKeys DTMF keys (default 1) after the
	// prompt, for at most TimeoutSecs seconds (default 5).
	WaitKeys    bool `json:"wait_keys,omitempty"`
	MaxKeys     int  `json:"max_keys,omitempty"`
	TimeoutSecs int  `json:"timeout_secs,omitempty"`
}

// Validate checks the script's fields.
func (s *Script) Validate() error {
	switch {
	case s.Name == "" || len(s.Name) > 200:
		return FieldErrorf("name", "script name must be 1 to 200 bytes")
	case s.GroupID == 0:
		return FieldErrorf("group_id", "a script belongs to a script group")
	case len(s.Prompts) > 100:
		return FieldErrorf("prompts", "at most 100 prompts")
	}
	for i, p := range s.Prompts {
		switch {
		case p.Text == "" && p.Audio == "":
			return FieldErrorf("prompts", "prompt %d needs text or audio", i+1)
		case len(p.Text) > 2000:
			return FieldErrorf("prompts", "prompt %d text is over 2000 bytes", i+1)
		case !validAudioName(p.Audio):
			return FieldErrorf("prompts", "prompt %d audio must be a file name under prompts/ (letters, digits, . _ - /)", i+1)
		case p.MaxKeys < 0 || p.MaxKeys > 32 || p.TimeoutSecs < 0 || p.TimeoutSecs > 120:
			return FieldErrorf("prompts", "prompt %d: max_keys 0..32, timeout_secs 0..120", i+1)
		case p.Voice != "" && !ValidVoice(p.Voice):
			return FieldErrorf("prompts", "prompt %d voice %q is not a TTS voice name (letters, digits, - _ +, not starting with -)", i+1, p.Voice)
		}
	}
	return nil
}

// ValidVoice reports whether v can be a TTS (espeak-ng) voice name: "cmn", "en-us",
// "zh+f3"; never something espeak-ng would read as an option.
func ValidVoice(v string) bool {
	if v == "" || len(v) > 64 || v[0] == '-' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+') {
			return false
		}
	}
	return true
}

// validAudioName accepts relative paths without "..", so prompts cannot escape their folder.
func validAudioName(s string) bool {
	if len(s) > 200 || (len(s) > 0 && s[0] == '/') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '/'
		if !ok || (c == '.' && i+1 < len(s) && s[i+1] == '.') {
			return false
		}
	}
	return true
}
