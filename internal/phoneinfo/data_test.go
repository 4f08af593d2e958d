package phoneinfo

import (
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The mobile table must say exactly what phonenumbers.IsValidNumber says.
func TestMobileTableMatchesPhonenumbers(t *testing.T) {
	valid := 0
	for p := mobileFirst; p < mobileFirst+mobileCount; p++ {
		for _, tail := range []string{"000000", "123456", "555555", "987654", "999999"} {
			nsn := strconv.Itoa(p) + tail
			pn := chinese(nsn)
			want := phonenumbers.IsValidNumber(pn) && phonenumbers.GetNumberType(pn) == phonenumbers.MOBILE
			got, err := Normalize(nsn)
			if want != (err == nil) {
				t.Fatalf("Normalize(%q) = %q, %v; phonenumbers says valid mobile = %v", nsn, got, err, want)
			}
			if _, fast := fastMobile(nsn); want && !fast {
				t.Errorf("%s is a valid mobile but missed the fast path", nsn)
			}
			if want {
				valid++
			}
		}
	}
	t.Logf("%d of %d sampled 11-digit numbers are valid mobiles", valid, mobileCount*5)
}

// Every city the mobile geocoding data names must have an area code, so a
// new phonenumbers release that names a new city fails here (add it to
// cityCodeExtras). Numbers the data does not locate at all are counted.
func TestEveryMobileCityHasAreaCode(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every 7-digit mobile prefix")
	}
	located, unlocated := 0, 0
	missing := map[string]bool{}
	for i := range mobileCount {
		if mobileState(strconv.Itoa(mobileFirst+i)+"000000") == stateInvalid {
			continue
		}
		for k := range 100 {
			nsn := strconv.Itoa((mobileFirst+i)*100+k) + "0000"
			loc := locate(nsn)
			switch {
			case loc.name == "":
				unlocated++
			case loc.code == "":
				missing[loc.name] = true
			default:
				located++
			}
		}
	}
	for name := range missing {
		t.Errorf("no area code for %q", name)
	}
	t.Logf("7-digit mobile prefixes: %d located, %d without location data", located, unlocated)
}

// A landline's AreaCode must be the geographical area code phonenumbers
// sees, for every area code it accepts.
func TestLandlineAreaCodes(t *testing.T) {
	codes := []string{"10"}
	for c := 20; c <= 29; c++ {
		codes = append(codes, strconv.Itoa(c))
	}
	for c := 300; c <= 999; c++ {
		codes = append(codes, strconv.Itoa(c))
	}
	n, named := 0, 0
	for _, code := range codes {
		for _, sub := range []string{"23456789", "2345678"} {
			pn := chinese(code + sub)
			if phonenumbers.GetNumberType(pn) != phonenumbers.FIXED_LINE {
				continue
			}
			info, err := Lookup("0" + code + sub)
			if err != nil {
				t.Fatalf("Lookup(0%s%s): %v", code, sub, err)
			}
			want := "0" + phonenumbers.GetNationalSignificantNumber(pn)[:phonenumbers.GetLengthOfGeographicalAreaCode(pn)]
			if info.AreaCode != want || info.AreaCode != "0"+code {
				t.Errorf("Lookup(0%s%s).AreaCode = %q; phonenumbers says %q", code, sub, info.AreaCode, want)
			}
			n++
			if info.AreaName != "" {
				named++
			}
			break
		}
	}
	t.Logf("%d area codes accepted, %d of them named by the geocoding data", n, named)
}

func TestAreaName(t *testing.T) {
	tests := []struct{ name, geo, want string }{
		{"province and city", "江苏省连云港市", "江苏 连云港"},
		{"municipality", "北京市", "北京 北京"},
		{"municipality without 市", "天津", "天津 天津"},
		{"autonomous region as the data writes it", "广西南宁市", "广西 南宁"},
		{"autonomous region in full", "广西壮族自治区南宁市", "广西 南宁"},
		{"uyghur autonomous region in full", "新疆维吾尔自治区喀什地区", "新疆 喀什"},
		{"inner mongolia league keeps 盟", "内蒙古锡林郭勒盟", "内蒙古 锡林郭勒盟"},
		{"autonomous prefecture", "湖北省恩施土家族苗族自治州", "湖北 恩施"},
		{"prefecture without 族", "新疆伊犁哈萨克自治州", "新疆 伊犁"},
		{"prefecture with two peoples", "青海省海西蒙古族藏族自治州", "青海 海西"},
		{"forestry district", "湖北省神农架林区", "湖北 神农架"},
		{"city named like its province", "吉林省吉林市", "吉林 吉林"},
		{"several cities: the first", "辽宁省沈阳市、铁岭市、抚顺市", "辽宁 沈阳"},
		{"county", "西藏索县", "西藏 索县"},
		{"english fallback", "San Francisco, CA", ""},
		{"country only", "中国", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := areaName(tt.geo); got != tt.want {
				t.Errorf("areaName(%q) = %q; want %q", tt.geo, got, tt.want)
			}
		})
	}
}
