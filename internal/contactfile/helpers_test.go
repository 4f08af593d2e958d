package contactfile

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// result is everything a Reader returned, for comparing in tests.
type result struct {
	rows []Row      // copies
	bad  []RowError // row errors, in order
	err  error      // the fatal error, nil at io.EOF
}

// readAll reads r to the end or the first fatal error, at most limit calls.
func readAll(t testing.TB, r Reader, limit int) result {
	t.Helper()
	var res result
	for range limit {
		row, err := r.Next()
		var re *RowError
		switch {
		case err == io.EOF:
			return res
		case errors.As(err, &re):
			res.bad = append(res.bad, *re)
		case err != nil:
			res.err = err
			return res
		default:
			res.rows = append(res.rows, *row)
		}
	}
	t.Fatalf("no io.EOF after %d calls to Next", limit)
	return res
}

// phones lists the rows' phones, "#num:phone".
func (r result) phones() string {
	var b strings.Builder
	for _, row := range r.rows {
		b.WriteString(" " + strconv.Itoa(row.Num) + ":" + row.Phone)
	}
	return strings.TrimSpace(b.String())
}
