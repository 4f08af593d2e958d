package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/outdial/outdial/internal/app"
	"io"
	"os"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
	"github.com/outdial/outdial/internal/contactimport"
)

// importResult is what "outdial import" prints: the same counts and failures, under the
// same names, as the native API's import answers.
type importResult struct {
	SuccessCount   int                     `json:"successCount"`
	DuplicateCount int                     `json:"duplicateCount"`
	FailCount      int                     `json:"failCount"`
	Failures       []contactimport.Failure `json:"failures"`
}

// importContacts imports a CSV, XLSX or JSON file (or stdin, "-", with --format) into a
// batch of a tenant and prints the counts as JSON. Rows refused are listed and do not
// make the command fail; a file that cannot be read does, after printing what was stored.
func (m *Main) importContacts(ctx context.Context, args []string) error {
	fs := m.newFlagSet("import", "import --tenant NAME --batch ID [--format csv|xlsx|json] FILE", "db")
	tenant := fs.String("tenant", "", "name of the tenant that owns the batch (required)")
	batchID := fs.Int64("batch", 0, "id of the batch to import into (required)")
	format := fs.String("format", "", "csv, xlsx or json (default: from FILE's extension)")
	cfg, pos, err := m.loadConfig(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *tenant == "" || *batchID <= 0:
		return usageErrorf("import needs --tenant NAME and --batch ID")
	case len(pos) != 1:
		return usageErrorf("import needs exactly one FILE (- for stdin)")
	}
	name := pos[0]
	if *format == "" {
		*format = contactfile.FormatOf("", name)
	}
	if *format == "" {
		return usageErrorf("cannot tell the format of %q: name it .csv, .xlsx or .json, or give --format", name)
	}

	var in io.Reader = m.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	store, err := app.OpenStore(ctx, cfg.DB, outdial.SystemClock{})
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := tenantByName(ctx, store, *tenant)
	if err != nil {
		return err
	}
	b, err := store.Batch(ctx, t.ID, *batchID)
	if outdial.ErrorCode(err) == outdial.ENOTFOUND {
		return fmt.Errorf("tenant %q has no batch %d", t.Name, *batchID)
	} else if err != nil {
		return err
	}
	rd, err := contactfile.Open(*format, in)
	if err != nil {
		return describe(err)
	}
	if c, ok := rd.(io.Closer); ok {
		defer c.Close()
	}
	im := &contactimport.Importer{Store: store}
	res, importErr := im.Import(ctx, b, rd)
	out := importResult{SuccessCount: res.SuccessCount, DuplicateCount: res.DuplicateCount,
		FailCount: res.FailCount, Failures: res.Failures}
	if out.Failures == nil {
		out.Failures = []contactimport.Failure{}
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	return describe(importErr)
}
