package phoneinfo

// cityCodeExtras are the area codes of cities that phonenumbers' mobile
// data names but its landline data does not (they share a neighbour's
// code, or the landline entry has an old or misspelt name), and of 伊犁,
// which the landline data gives both 0992 (奎屯) and 0999 (伊宁). They
// override what buildCityCodes reads; TestEveryMobileCityHasAreaCode fails
// when a new data release names a city missing here.
var cityCodeExtras = map[string]string{
	"安徽 亳州":  "0558",
	"甘肃 嘉峪关": "0937",
	"甘肃 金昌":  "0935",
	"广西 崇左":  "0771",
	"广西 贵港":  "0775",
	"广西 贺州":  "0774",
	"广西 来宾":  "0772",
	"湖北 潜江":  "0728",
	"湖北 神农架": "0719",
	"湖南 株洲":  "0731", // the landline data spells it 株州
	"新疆 伊犁":  "0999",
}
