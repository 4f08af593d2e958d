package native

import (
	"context"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// scriptGroupIn is the body of script group create and update.
type scriptGroupIn struct {
	Name      string `json:"name"`
	Debug     bool   `json:"debug"`
	IsDefault bool   `json:"is_default"`
}

// scriptGroupOut is a script group.
type scriptGroupOut struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Debug     bool       `json:"debug"`
	IsDefault bool       `json:"is_default"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func (h *Handler) scriptGroups() *resource[outdial.ScriptGroup, scriptGroupIn, scriptGroupOut] {
	s := h.store
	return &resource[outdial.ScriptGroup, scriptGroupIn, scriptGroupOut]{
		h: h, noun: "script group", nouns: "script groups", path: "/api/v1/script-groups",
		list: func(ctx context.Context, tenantID int64, _ url.Values, pg outdial.Page) ([]*outdial.ScriptGroup, error) {
			return s.ScriptGroups(ctx, tenantID, pg)
		},
		get:    s.ScriptGroup,
		create: s.CreateScriptGroup,
		update: s.UpdateScriptGroup,
		remove: s.DeleteScriptGroup,
		blank:  func(tenantID int64) *outdial.ScriptGroup { return &outdial.ScriptGroup{TenantID: tenantID} },
		fill: func(in *scriptGroupIn, g *outdial.ScriptGroup) error {
			g.Name, g.Debug, g.IsDefault = in.Name, in.Debug, in.IsDefault
			return g.Validate()
		},
		show: func(g *outdial.ScriptGroup) scriptGroupOut {
			return scriptGroupOut{ID: g.ID, Name: g.Name, Debug: g.Debug, IsDefault: g.IsDefault,
				CreatedAt: ts(g.CreatedAt), UpdatedAt: ts(g.UpdatedAt)}
		},
		key: func(g *outdial.ScriptGroup) int64 { return g.ID },
	}
}

// promptWire is one step of a script: text (spoken by TTS) or audio (a WAV file under the
// data directory's prompts/), then optionally a wait for DTMF keys.
type promptWire struct {
	Text        string `json:"text,omitempty"`
	Audio       string `json:"audio,omitempty"`
	Voice       string `json:"voice,omitempty"`
	WaitKeys    bool   `json:"wait_keys,omitempty"`
	MaxKeys     int    `json:"max_keys,omitempty"`
	TimeoutSecs int    `json:"timeout_secs,omitempty"`
}

// scriptIn is the body of script create and update.
type scriptIn struct {
	GroupID int64        `json:"group_id"`
	Name    string       `json:"name"`
	Prompts []promptWire `json:"prompts"`
}

// scriptOut is a script.
type scriptOut struct {
	ID        int64        `json:"id"`
	GroupID   int64        `json:"group_id"`
	Name      string       `json:"name"`
	Prompts   []promptWire `json:"prompts"`
	CreatedAt *time.Time   `json:"created_at"`
	UpdatedAt *time.Time   `json:"updated_at"`
}

func fillScript(in *scriptIn, sc *outdial.Script) error {
	if in.GroupID < 0 {
		return outdial.FieldErrorf("group_id", "group_id must be a script group's id")
	}
	sc.GroupID, sc.Name = in.GroupID, in.Name
	sc.Prompts = make([]outdial.Prompt, len(in.Prompts))
	for i, p := range in.Prompts {
		if len(p.Voice) > 64 {
			return outdial.FieldErrorf("prompts", "prompt %d voice is over 64 bytes", i+1)
		}
		sc.Prompts[i] = outdial.Prompt(p)
	}
	return sc.Validate()
}

func showScript(sc *outdial.Script) scriptOut {
	out := scriptOut{ID: sc.ID, GroupID: sc.GroupID, Name: sc.Name, Prompts: make([]promptWire, len(sc.Prompts)),
		CreatedAt: ts(sc.CreatedAt), UpdatedAt: ts(sc.UpdatedAt)}
	for i, p := range sc.Prompts {
		out.Prompts[i] = promptWire(p)
	}
	return out
}

func (h *Handler) scripts() *resource[outdial.Script, scriptIn, scriptOut] {
	s := h.store
	return &resource[outdial.Script, scriptIn, scriptOut]{
		h: h, noun: "script", nouns: "scripts", path: "/api/v1/scripts",
		filters: []param{{name: "group_id", typ: "integer", desc: "only the scripts of this script group"}},
		list: func(ctx context.Context, tenantID int64, q url.Values, pg outdial.Page) ([]*outdial.Script, error) {
			groupID, err := queryID(q, "group_id")
			if err != nil {
				return nil, err
			}
			return s.Scripts(ctx, tenantID, groupID, pg)
		},
		get:    s.Script,
		create: s.CreateScript,
		update: s.UpdateScript,
		remove: s.DeleteScript,
		blank:  func(tenantID int64) *outdial.Script { return &outdial.Script{TenantID: tenantID} },
		fill:   fillScript,
		refs: func(ctx context.Context, sc *outdial.Script) error {
			return owned(ctx, s.ScriptGroup, sc.TenantID, sc.GroupID, "group_id", "script group")
		},
		show: showScript,
		key:  func(sc *outdial.Script) int64 { return sc.ID },
	}
}
