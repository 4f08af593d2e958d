package phoneinfo

import (
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// place is where a Chinese number is registered.
type place struct {
	name string // AreaName, "江苏 连云港"
	code string // AreaCode, "0518"
}

// locate returns the place phonenumbers' Chinese geocoding data gives for
// nsn, a valid Chinese national number. Mobile data is by 7-digit prefix,
// landline data by area code; the area code of a mobile is that of its city.
func locate(nsn string) place {
	geo, _ := phonenumbers.GetGeocodingForNumber(chinese(nsn), "zh")
	name := areaName(geo)
	if name == "" {
		return place{}
	}
	return place{name: name, code: cityCodes()[name]}
}

// provinces are the short names of China's provincial-level divisions, as
// phonenumbers' data starts its descriptions with them.
var provinces = [...]string{
	"北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
	"安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川",
	"贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "内蒙古",
}

// municipalities are named "北京 北京": the province is the city.
var municipalities = map[string]bool{"北京": true, "天津": true, "上海": true, "重庆": true}

// splitGeo splits a description such as "辽宁省沈阳市、铁岭市、抚顺市" into the
// short province name and the short city names. province is "" when geo is
// not a Chinese description (the library falls back to English or "中国").
func splitGeo(geo string) (province string, cities []string) {
	for _, p := range provinces {
		if !strings.HasPrefix(geo, p) {
			continue
		}
		rest := geo[len(p):]
		switch {
		case strings.HasPrefix(rest, "省"), strings.HasPrefix(rest, "市"):
			rest = rest[len("省"):]
		default:
			// "广西壮族自治区", "新疆维吾尔自治区"; the data mostly omits the suffix.
			if i := strings.Index(rest, "自治区"); i >= 0 && i <= len("维吾尔") {
				rest = rest[i+len("自治区"):]
			}
		}
		if municipalities[p] {
			return p, []string{p}
		}
		for _, c := range strings.Split(rest, "、") {
			if c = shortCity(c); c != "" {
				cities = append(cities, c)
			}
		}
		if len(cities) == 0 {
			return "", nil
		}
		return p, cities
	}
	return "", nil
}

// areaName formats geo as Info.AreaName, "省 市", or "" when geo is not a
// Chinese description.
func areaName(geo string) string {
	p, cities := splitGeo(geo)
	if p == "" {
		return ""
	}
	return p + " " + cities[0]
}

// ethnicNames are the peoples named in autonomous prefectures, cut from
// "恩施土家族苗族自治州" to leave the place, "恩施".
var ethnicNames = [...]string{
	"朝鲜", "土家", "苗族", "布依", "侗族", "彝族", "哈尼", "壮族", "傣族", "景颇",
	"白族", "傈僳", "藏族", "羌族", "回族", "蒙古", "哈萨克", "柯尔克孜",
}

// shortCity drops the administrative suffix of a prefecture-level name:
// "连云港市" -> "连云港", "喀什地区" -> "喀什", "延边朝鲜族自治州" -> "延边",
// "神农架林区" -> "神农架". Leagues (盟) and counties (县) keep theirs.
func shortCity(c string) string {
	c = strings.TrimSpace(c)
	switch {
	case strings.HasSuffix(c, "自治州"):
		c = strings.TrimSuffix(c, "自治州")
		cut := len(c)
		for _, e := range ethnicNames {
			// The place name before the people is at least 2 characters.
			if i := strings.Index(c[min(len(c), len("延边")):], e); i >= 0 {
				cut = min(cut, i+len("延边"))
			}
		}
		return c[:cut]
	case strings.HasSuffix(c, "地区"), strings.HasSuffix(c, "林区"):
		return strings.TrimSuffix(strings.TrimSuffix(c, "地区"), "林区")
	case strings.HasSuffix(c, "市") && len(c) > len("某市"):
		return strings.TrimSuffix(c, "市")
	}
	return c
}

var (
	cityCodesOnce sync.Once
	cityCodeMap   map[string]string
)

// cityCodes returns the AreaName -> area code map, built on first use from
// the landline geocoding data plus cityCodeExtras: about 350 entries,
// 150 kB of heap, 7 ms (once phonenumbers has loaded its geocoding data).
func cityCodes() map[string]string {
	cityCodesOnce.Do(func() { cityCodeMap = buildCityCodes() })
	return cityCodeMap
}

// buildCityCodes probes every possible area code with a sample landline
// number: codes phonenumbers accepts as fixed lines are read from the
// geocoding data. A description that names one city decides that city's
// code; the other cities of a description that names several ("辽宁省沈阳市、
// 铁岭市、抚顺市" for 024) only get the code if nothing more specific does.
func buildCityCodes() map[string]string {
	codes := make(map[string]string, 400)
	var shared [][2]string // {code, description}
	probe := func(code string, subscribers ...string) {
		for _, sub := range subscribers {
			pn := chinese(code + sub)
			if t := phonenumbers.GetNumberType(pn); t != phonenumbers.FIXED_LINE && t != phonenumbers.FIXED_LINE_OR_MOBILE {
				continue
			}
			geo, _ := phonenumbers.GetGeocodingForNumber(pn, "zh")
			p, cities := splitGeo(geo)
			switch {
			case p == "":
			case len(cities) == 1:
				if _, dup := codes[p+" "+cities[0]]; !dup {
					codes[p+" "+cities[0]] = "0" + code
				}
			default:
				shared = append(shared, [2]string{"0" + code, geo})
			}
			return
		}
	}
	probe("10", "23456789")
	for c := 20; c <= 29; c++ {
		probe(strconv.Itoa(c), "23456789")
	}
	for c := 300; c <= 999; c++ {
		probe(strconv.Itoa(c), "2345678", "23456789")
	}
	for _, s := range shared {
		p, cities := splitGeo(s[1])
		for _, c := range cities {
			if _, ok := codes[p+" "+c]; !ok {
				codes[p+" "+c] = s[0]
			}
		}
	}
	for name, code := range cityCodeExtras {
		codes[name] = code
	}
	return codes
}
