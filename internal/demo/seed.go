// Package demo sets up and shows outdial's demo: a tenant with a line to the carrier
// simulator, rules, a script, an agent group and a task of 20 contacts whose numbers
// cover the simulator's number plan; then live progress and a table of the calls.
package demo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
	"github.com/outdial/outdial/internal/media"
	"github.com/outdial/outdial/internal/phoneinfo"
)

// TenantName is the demo tenant.
const TenantName = "demo"

// Setup is what Seed made.
type Setup struct {
	Tenant *outdial.Tenant
	Token  string
	Line   *outdial.Line
	Task   *outdial.Task
	Batch  *outdial.Batch
	// Spoken reports whether prompts are spoken by TTS (espeak-ng and sox installed);
	// otherwise the script plays tones.
	Spoken bool
}

// Store is what Seed needs.
type Store interface {
	outdial.TenantStore
	outdial.LineStore
	outdial.TimeGroupStore
	outdial.RecallRuleStore
	outdial.AgentGroupStore
	outdial.ScriptStore
	outdial.TaskStore
	outdial.BatchStore
	outdial.ContactStore
}

// Numbers are the demo's contacts: two of each last digit of the carrier simulator's plan.
var Numbers = []string{
	"13800138000", "13800138001", "13800138002", "13800138003", "13800138004",
	"13800138005", "13800138006", "13800138007", "13800138008", "13800138009",
	"13900139000", "13900139001", "13900139002", "13900139003", "13900139004",
	"13900139005", "13900139006", "13900139007", "13900139008", "13900139009",
}

// Seed creates (or reuses) the demo tenant and everything its task needs, with a line to
// the carrier simulator at gateway, and a new task with a batch of Numbers. dataDir gets
// the prompts.
func Seed(ctx context.Context, s Store, gateway, dataDir string) (*Setup, error) {
	st := &Setup{}
	t, err := s.TenantByName(ctx, TenantName)
	if outdial.ErrorCode(err) == outdial.ENOTFOUND {
		// No per-number caps, so the demo's recalls come within minutes.
		t = &outdial.Tenant{Name: TenantName}
		err = s.CreateTenant(ctx, t)
	}
	if err != nil {
		return nil, fmt.Errorf("demo tenant: %w", err)
	}
	st.Tenant = t
	if st.Token, err = auth.Issue(ctx, s, t.ID); err != nil {
		return nil, err
	}
	if st.Line, err = demoLine(ctx, s, t.ID, gateway); err != nil {
		return nil, err
	}
	lunch := &outdial.TimeGroup{TenantID: t.ID, Name: "午休时间", Ranges: []outdial.ForbiddenRange{
		{Weekdays: outdial.Weekdays(1, 2, 3, 4, 5), Start: 12 * 3600, End: 13*3600 + 30*60}}}
	recall := &outdial.RecallRule{TenantID: t.ID, Name: "忙线重呼", Remark: "busy or no answer: once more after 10 s",
		Enabled: true, MaxAttempts: 2, Intervals: []int{10}, Results: []outdial.Result{outdial.ResultBusy, outdial.ResultNoAnswer}}
	agents := &outdial.AgentGroup{TenantID: t.ID, Name: "坐席组", LineID: st.Line.ID, Status: 1,
		Agents: []outdial.Agent{{Name: "小王", Extension: "sip:1001@127.0.0.1"}}}
	st.Spoken = canSpeak()
	group := &outdial.ScriptGroup{TenantID: t.ID, Name: "演示话术", Debug: st.Spoken, IsDefault: true}
	for _, err := range []error{s.CreateTimeGroup(ctx, lunch), s.CreateRecallRule(ctx, recall),
		s.CreateAgentGroup(ctx, agents), s.CreateScriptGroup(ctx, group)} {
		if err != nil {
			return nil, fmt.Errorf("demo rules: %w", err)
		}
	}
	prompts, err := demoPrompts(dataDir)
	if err != nil {
		return nil, err
	}
	if err := s.CreateScript(ctx, &outdial.Script{TenantID: t.ID, GroupID: group.ID, Name: "演示", Prompts: prompts}); err != nil {
		return nil, fmt.Errorf("demo script: %w", err)
	}
	st.Task = &outdial.Task{TenantID: t.ID, Name: "demo " + time.Now().Format("2006-01-02 15:04:05"), Remark: "outdial demo",
		LineID: st.Line.ID, ScriptGroupID: group.ID, RecallRuleID: recall.ID, AgentGroupID: agents.ID,
		MaxConcurrency: 5, RingTimeoutSeconds: 8}
	if err := s.CreateTask(ctx, st.Task); err != nil {
		return nil, fmt.Errorf("demo task: %w", err)
	}
	st.Batch = &outdial.Batch{TenantID: t.ID, TaskID: st.Task.ID, Name: "demo contacts"}
	if err := s.CreateBatch(ctx, st.Batch); err != nil {
		return nil, fmt.Errorf("demo batch: %w", err)
	}
	return st, addContacts(ctx, s, st)
}

// demoLine points the demo tenant's line at this run's carrier simulator.
func demoLine(ctx context.Context, s Store, tenantID int64, gateway string) (*outdial.Line, error) {
	lines, err := s.Lines(ctx, tenantID, outdial.Page{})
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		if l.Name == "carrier-sim" {
			l.Gateway = gateway
			return l, s.UpdateLine(ctx, l)
		}
	}
	l := &outdial.Line{TenantID: tenantID, Name: "carrier-sim", Gateway: gateway, Transport: "udp",
		CallerNumbers: []string{"02151234567"}, Concurrency: 10, CallsPerSecond: 5}
	return l, s.CreateLine(ctx, l)
}

func addContacts(ctx context.Context, s Store, st *Setup) error {
	cs := make([]*outdial.Contact, len(Numbers))
	for i, n := range Numbers {
		info, err := phoneinfo.Lookup(n)
		if err != nil {
			return fmt.Errorf("demo contacts: %w", err)
		}
		cs[i] = &outdial.Contact{TenantID: st.Tenant.ID, TaskID: st.Task.ID, BatchID: st.Batch.ID, Phone: info.Number,
			Name: fmt.Sprintf("客户%02d", i+1), ExternalID: fmt.Sprintf("demo-%02d", i+1), Type: info.Type, Carrier: info.Carrier,
			AreaCode: info.AreaCode, AreaName: info.AreaName}
	}
	_, err := s.AddContacts(ctx, cs)
	return err
}

// demoPrompts writes two tone prompts (used when TTS is missing) and returns the script.
func demoPrompts(dataDir string) ([]outdial.Prompt, error) {
	dir := filepath.Join(dataDir, "prompts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for name, freq := range map[string]float64{"demo-hello.wav": 440, "demo-bye.wav": 660} {
		if err := media.WriteWAVFile(filepath.Join(dir, name), media.Tone(freq, 1500*time.Millisecond, 8000, 0.3), 8000, 1); err != nil {
			return nil, fmt.Errorf("demo prompts: %w", err)
		}
	}
	return []outdial.Prompt{
		{Text: "您好，这里是 outdial 外呼演示。确认请按一。", Audio: "demo-hello.wav", WaitKeys: true, MaxKeys: 1, TimeoutSecs: 3},
		{Text: "谢谢，再见。", Audio: "demo-bye.wav"},
	}, nil
}

// canSpeak reports whether TTS can run here (espeak-ng and sox on the PATH).
func canSpeak() bool {
	_, e1 := exec.LookPath("espeak-ng")
	_, e2 := exec.LookPath("sox")
	return e1 == nil && e2 == nil
}
