package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outdial/outdial"
)

// Watch draws the task's progress on w every interval until the task is finished or ctx
// ends. On a terminal (tty) the bar redraws in place; otherwise a line is printed when the
// counts change.
func Watch(ctx context.Context, s outdial.TaskStore, t *outdial.Task, w io.Writer, tty bool, interval time.Duration) error {
	last := ""
	for {
		p, err := s.TaskProgress(ctx, t.TenantID, t.ID)
		if err != nil {
			return err
		}
		line := progressLine(p)
		if tty {
			fmt.Fprintf(w, "\r%s", line)
		} else if line != last {
			fmt.Fprintln(w, line)
		}
		last = line
		task, err := s.Task(ctx, t.TenantID, t.ID)
		if err != nil {
			return err
		}
		if task.Status == outdial.TaskFinished {
			if tty {
				fmt.Fprintln(w)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintln(w)
			}
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// progressLine is "[#####.....]  50%  10/20 done  answered 6  failed 4  live 3  calls 12".
func progressLine(p outdial.Progress) string {
	const width = 30
	done := 0
	if p.Total > 0 {
		done = int((p.Total - p.Pending) * width / p.Total)
	}
	return fmt.Sprintf("[%s%s] %3d%%  %d/%d done  answered %d  not reached %d  live %d  calls %d",
		strings.Repeat("#", done), strings.Repeat(".", width-done), p.Percent, p.Total-p.Pending, p.Total,
		p.Answered, p.Failed, p.Live, p.Calls)
}

// Report prints a table of the task's calls and where their recordings are.
func Report(ctx context.Context, s outdial.CallStore, t *outdial.Task, dataDir string, w io.Writer) error {
	calls, err := s.Calls(ctx, outdial.CallFilter{TenantID: t.TenantID, TaskID: t.ID, Limit: 1000})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CALLED\tTRY\tRESULT\tSIP\tHUNG UP\tTALK\tKEYS\tRECORDING")
	recorded := 0
	for _, c := range calls {
		by := string(c.HangupBy)
		if by == "" {
			by = "-"
		}
		rec := c.Recording
		if rec == "" {
			rec = "-"
		} else {
			recorded++
		}
		keys := c.DTMF
		if keys == "" {
			keys = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%ds\t%s\t%s\n", c.Called, c.Attempt, c.Result, c.SIPStatus, by, c.AnsSecs, keys, rec)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d calls, %d recordings under %s/recordings/\n", len(calls), recorded, strings.TrimSuffix(dataDir, "/"))
	return nil
}
