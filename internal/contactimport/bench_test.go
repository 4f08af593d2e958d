package contactimport

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
)

// uploadCSV streams a realistic upload of n rows without holding it: Chinese mobiles
// with 2% duplicates of earlier rows and 1% invalid numbers, a name and an address.
type uploadCSV struct {
	rng     *rand.Rand
	n, row  int
	pending []byte
	recent  [64]string
}

func newUploadCSV(n int) *uploadCSV {
	return &uploadCSV{rng: rand.New(rand.NewPCG(1, 2)), n: n, pending: []byte("手机号码,姓名,地址\r\n")}
}

var (
	prefixes  = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "198", "199"}
	surnames  = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"}
	givens    = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋"}
	addresses = []string{"北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号", "广东省深圳市南山区科技园", "江苏省南京市鼓楼区中山路1号"}
)

func (u *uploadCSV) Read(p []byte) (int, error) {
	for len(u.pending) < len(p) && u.row < u.n {
		u.row++
		var phone string
		switch x := u.rng.IntN(100); {
		case x < 2 && u.row > 64:
			phone = u.recent[u.rng.IntN(len(u.recent))]
		case x < 3:
			phone = "1" + strconv.Itoa(20000+u.rng.IntN(80000)) // too short
		default:
			phone = prefixes[u.rng.IntN(len(prefixes))] + strconv.Itoa(10000000+u.rng.IntN(90000000))
			u.recent[u.row%len(u.recent)] = phone
		}
		u.pending = append(u.pending, phone...)
		u.pending = append(u.pending, ',')
		u.pending = append(u.pending, surnames[u.rng.IntN(len(surnames))]...)
		u.pending = append(u.pending, givens[u.rng.IntN(len(givens))]...)
		u.pending = append(u.pending, ',')
		u.pending = append(u.pending, addresses[u.rng.IntN(len(addresses))]...)
		u.pending = append(u.pending, '\r', '\n')
	}
	if len(u.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(p, u.pending)
	u.pending = u.pending[:copy(u.pending, u.pending[n:])]
	return n, nil
}

// discardStore accepts every contact and keeps none.
type discardStore struct {
	outdial.ContactStore
	added []bool
}

func (s *discardStore) AddContacts(_ context.Context, cs []*outdial.Contact) ([]bool, error) {
	for len(s.added) < len(cs) {
		s.added = append(s.added, true)
	}
	return s.added[:len(cs)], nil
}

// BenchmarkImportCSV measures the import pipeline without a database: CSV parsing, phone
// normalisation and lookup, validation and in-chunk dedupe, 100,000 rows per op.
func BenchmarkImportCSV(b *testing.B) {
	const rows = 100_000
	data, err := io.ReadAll(newUploadCSV(rows))
	if err != nil {
		b.Fatal(err)
	}
	im := &Importer{Store: &discardStore{}}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := contactfile.NewCSV(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		res, err := im.Import(context.Background(), batch1, r)
		if err != nil || res.SuccessCount+res.DuplicateCount+res.FailCount != rows {
			b.Fatalf("%+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// A million-row upload imports in flat memory: the process's peak RSS stays under 150 MB.
func TestImportMillionRowsMemory(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("imports 1,000,000 rows and measures memory")
	}
	const rows = 1_000_000
	r, err := contactfile.NewCSV(newUploadCSV(rows))
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	res, err := (&Importer{Store: &discardStore{}}).Import(context.Background(), batch1, r)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(began)
	if res.SuccessCount+res.DuplicateCount+res.FailCount != rows {
		t.Errorf("counted %+v rows", res)
	}
	peak := peakRSS(t)
	t.Logf("%d rows in %v (%.0f rows/s), %d added, %d duplicates, %d failed; peak RSS %d MB",
		rows, elapsed.Round(time.Millisecond), rows/elapsed.Seconds(),
		res.SuccessCount, res.DuplicateCount, res.FailCount, peak>>20)
	if peak > 150<<20 {
		t.Errorf("peak RSS %d MB, want under 150 MB", peak>>20)
	}
}

// peakRSS reads the process's peak resident set size (Linux only).
func peakRSS(t *testing.T) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}

func (s *discardStore) BeginContactImport(context.Context, int64, int64) (func(), error) {
	return func() {}, nil
}
