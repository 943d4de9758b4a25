package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Names for the synthetic county: real-looking, invented, deterministic.

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "林", "何", "高", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "邓", "冯", "韩", "曹", "曾", "彭", "萧", "蔡", "潘", "田", "董", "袁", "于", "余", "叶", "蒋", "杜", "苏", "魏",
	"程", "吕", "丁", "沈", "任", "姚", "卢", "傅", "钟", "姜", "崔", "谭", "廖", "范", "汪", "陆", "金", "石", "戴", "贾", "韦", "夏", "邱", "方", "侯"}

var givenMale = []string{"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "斌", "波", "鹏", "华", "建国", "建军", "国强", "志强",
	"志明", "海波", "文斌", "俊杰", "宇航", "浩然", "子豪", "德华", "永福", "长生", "桂生", "春生", "良才", "家豪", "博文", "晨阳", "振华", "卫东"}

var givenFemale = []string{"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玉兰", "秀兰", "桂兰", "凤英", "淑珍", "丽华", "美玲",
	"婷婷", "雪", "欣怡", "梓涵", "诗琪", "晓燕", "海燕", "红梅", "春梅", "秋菊", "冬梅", "雅琴", "慧敏", "思雨", "佳怡", "玉珍", "金凤"}

func personName(rng *rand.Rand, male bool) string {
	s := surnames[rng.IntN(len(surnames))]
	if male {
		return s + givenMale[rng.IntN(len(givenMale))]
	}
	return s + givenFemale[rng.IntN(len(givenFemale))]
}

// villageStems are joined with 村 or 社区; each stem is used once.
var villageStems = []string{"李家", "王家", "张家", "刘家", "陈家", "周家", "罗家", "邓家", "谢家", "何家", "朱家", "彭家", "肖家", "曾家", "胡家",
	"桃源", "上坪", "下坪", "长岭", "石桥", "枫树", "杨柳", "竹林", "茶园", "金山", "银杏", "凤凰", "龙泉", "清水", "大塘", "小塘", "黄土", "白果",
	"梅花", "兰田", "荷塘", "水口", "河口", "洲上", "高坡", "田心", "塘边", "岭脚", "坪上", "湾里", "冲口", "马鞍", "狮子", "鹤山", "鹿鸣", "松柏",
	"樟树", "桂花", "莲花", "青龙", "仙人", "将军", "观音", "牛角", "鸭婆", "新屋", "老屋", "东冲", "西冲", "南岭", "北岭", "中和", "太平", "永兴",
	"长乐", "安乐", "同心", "团结", "五一", "胜利", "前进", "红旗", "向阳", "朝阳", "联合", "双江", "三合", "四方", "五星", "六合", "七里", "八角",
	"九龙", "十里", "百福", "千秋", "万寿", "云峰", "雾山", "霞光", "星光", "月塘", "日升", "春风", "夏荷", "秋实", "冬青", "兴隆", "富民", "裕民",
	"利民", "惠民", "安民", "乐民", "德兴", "仁和", "义和", "礼和", "智和", "信和", "高桥", "低庄", "横街", "直街", "圳上", "坝上", "堰头", "井边",
	"泉水", "沙坪", "沙湾", "石门", "石板", "石塘", "铁炉", "铜锣", "金盆", "银盆", "玉屏", "翠屏", "锦屏", "花桥", "柳溪", "桐木", "杉木", "楠竹",
	"大兴", "小兴", "黄家", "易家", "龚家", "文家", "贺家", "阳家", "蒋家", "颜家", "唐家", "雷家"}

var communityStems = []string{"新华", "人民", "解放", "建设", "和平", "光明", "幸福", "滨江", "文昌", "育才", "东方", "中山", "长安", "锦绣", "紫薇",
	"金桂", "银河", "百花", "丽景", "书院", "府前", "南门", "北门", "东门", "西门", "车站", "工业", "湘江", "青年", "学府", "翠湖", "碧园", "朝晖",
	"东湖", "西湖", "荷花", "迎宾", "永安", "康宁", "兴华"}

var compounds = []string{"幸福小区", "阳光花园", "锦绣家园", "滨江花园", "金桂苑", "翠湖名苑", "书香门第", "东方明珠", "丽景湾", "和谐家园", "碧水蓝天", "学府佳苑"}

// idNumber makes an 18-digit resident ID number with a valid check digit,
// in the county's region code.
func idNumber(rng *rand.Rand, birthYear, month, day int, male bool) string {
	seq := rng.IntN(100)*10 + rng.IntN(5)*2
	if male {
		seq++
	}
	body := fmt.Sprintf("430999%04d%02d%02d%03d", birthYear, month, day, seq)
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

var mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158", "159",
	"173", "177", "180", "181", "182", "186", "187", "188", "189", "191", "198", "199"}

func mobile(rng *rand.Rand) string {
	return mobilePrefixes[rng.IntN(len(mobilePrefixes))] + fmt.Sprintf("%08d", rng.IntN(100_000_000))
}

// Banks with the card prefixes their debit cards start with.
var banks = []struct{ Name, Prefix string }{
	{"中国工商银行", "622202"}, {"中国农业银行", "622848"}, {"中国银行", "621661"}, {"中国建设银行", "621700"},
	{"中国邮政储蓄银行", "621799"}, {"交通银行", "622260"}, {"招商银行", "621483"}, {"湖南农村信用社", "621539"},
}

func cardNumber(rng *rand.Rand, bankIdx int) string {
	return banks[bankIdx].Prefix + fmt.Sprintf("%013d", rng.Int64N(10_000_000_000_000))
}

var otherCities = []string{"长沙", "株洲", "湘潭", "衡阳", "广州", "深圳", "东莞", "昆明", "南宁", "贵阳", "武汉", "郑州"}

// shortBank is a bank's everyday name: 中国工商银行 → 工商银行, but 中国银行
// stays 中国银行.
func shortBank(name string) string {
	if short := strings.TrimPrefix(name, "中国"); short != "银行" {
		return short
	}
	return name
}
