package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/outdial/outdial/internal/phoneinfo"
)

// importFile is a generated contact upload and what a correct import makes of it.
type importFile struct {
	path                  string
	rows                  int
	bytes                 int64
	added, dups, failures int // the answer a correct import gives
}

// Realistic content for generated uploads.
var (
	importSurnames  = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}
	importGivens    = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛"}
	importAddresses = []string{"北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号", "广东省深圳市南山区科技园", "江苏省南京市鼓楼区中山路1号",
		"浙江省杭州市西湖区文三路", "四川省成都市武侯区人民南路", ""}
	importInvalid = []string{"1%05d", "140%08d", "138%04dabc", "10%09d"} // too short, unallocated, letters, landline-shaped
)

// importPrefixes returns the 3-digit mobile prefixes 130-199 whose every number phoneinfo
// accepts, as real uploads hold only allocated numbers.
func importPrefixes() []string {
	var ps []string
	for p := 130; p <= 199; p++ {
		ok := true
		for _, tail := range []string{"00000000", "55555555", "99999999"} {
			if _, err := phoneinfo.Normalize(strconv.Itoa(p) + tail); err != nil {
				ok = false
			}
		}
		if ok {
			ps = append(ps, strconv.Itoa(p))
		}
	}
	return ps
}

// writeImportCSV writes a UTF-8 CSV upload of rows contacts to path: Chinese mobiles from
// every allocated 13x-19x prefix, 2% repeating a number from anywhere earlier in the file
// (a quarter of them written +86 and spaced), 1% invalid, 3% of the rest written with
// dashes; a name, an address, a custom state on 60% of rows and a callback URL on 20%. The
// content depends only on rows.
func writeImportCSV(path string, rows int) (*importFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	w.WriteString("手机号码,姓名,地址,自定义参数,回调地址\r\n")
	rng := rand.New(rand.NewPCG(2026, 11))
	prefixes := importPrefixes()
	res := &importFile{path: path, rows: rows}
	numbers := make([]uint64, 0, rows)
	seen := make(map[uint64]struct{}, rows)
	var line []byte
	for row := 0; row < rows; row++ {
		line = line[:0]
		switch x := rng.IntN(100); {
		case x < 2 && len(numbers) > 0:
			n := numbers[rng.IntN(len(numbers))]
			if rng.IntN(4) == 0 {
				s := strconv.FormatUint(n, 10)
				line = fmt.Appendf(line, "+86 %s %s %s", s[:3], s[3:7], s[7:])
			} else {
				line = strconv.AppendUint(line, n, 10)
			}
			res.dups++
		case x < 3:
			line = fmt.Appendf(line, importInvalid[row%len(importInvalid)], rng.IntN(10000))
			res.failures++
		default:
			p := prefixes[rng.IntN(len(prefixes))]
			sub := rng.IntN(100_000_000)
			n, _ := strconv.ParseUint(fmt.Sprintf("%s%08d", p, sub), 10, 64)
			if rng.IntN(100) < 3 {
				line = fmt.Appendf(line, "%s-%04d-%04d", p, sub/10000, sub%10000)
			} else {
				line = strconv.AppendUint(line, n, 10)
			}
			if _, dup := seen[n]; dup {
				res.dups++
			} else {
				seen[n] = struct{}{}
				numbers = append(numbers, n)
				res.added++
			}
		}
		line = append(line, ',')
		line = append(line, importSurnames[rng.IntN(len(importSurnames))]...)
		line = append(line, importGivens[rng.IntN(len(importGivens))]...)
		line = append(line, ',')
		line = append(line, importAddresses[rng.IntN(len(importAddresses))]...)
		line = append(line, ',')
		if rng.IntN(10) < 6 {
			line = fmt.Appendf(line, "VIP%d-order%07d", rng.IntN(5), rng.IntN(10_000_000))
		}
		line = append(line, ',')
		if rng.IntN(5) == 0 {
			line = fmt.Appendf(line, "https://crm.example.com/outdial/callback?customer=%d", rng.IntN(1_000_000))
		}
		line = append(line, '\r', '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	res.bytes = st.Size()
	return res, f.Close()
}
