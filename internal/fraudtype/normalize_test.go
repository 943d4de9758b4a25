package fraudtype

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"full width to half width", "ＡＢＣ　ａｐｐ！", "abc app!"},
		{"full-width digits are numbers", "验证码１２３４５６", "验证码<num>"},
		{"traditional to simplified", "這個帳戶請轉賬給我們", "这个账户请转账给我们"},
		{"traditional police script", "您好，我是公安局的警察，您的銀行卡涉嫌洗錢", "您好,我是公安局的警察,您的银行卡涉嫌洗钱"},
		{"mobile number", "请拨打13812345678咨询", "请拨打<phone>咨询"},
		{"masked mobile number", "联系人 138****5678", "联系人<phone>"},
		{"landline", "电话0571-88886666", "电话<phone>"},
		{"400 number", "热线400-800-1234", "热线<phone>"},
		{"http url", "点击 https://t.cn/A6bC9 领取", "点击<url>领取"},
		{"bare domain", "访问dwz.cn/Z0Hq3a立即参与", "访问<url>立即参与"},
		{"www url with trailing dot", "详见www.example.com.", "详见<url>."},
		{"placeholder url", "戳[链接]查看", "戳<url>查看"},
		{"bank card", "转到6222021234567890123", "转到<acct>"},
		{"spaced bank card", "卡号6222 0212 3456 7890", "卡号<acct>"},
		{"id number ending in X", "身份证11010519491231002X", "身份证<acct>"},
		{"amount in yuan", "转账5000元", "转账<amt>元"},
		{"amount in ten thousands", "额度3.5万", "额度<amt>万"},
		{"amount with yuan sign", "只要￥299", "只要<amt>"},
		{"amount with thousands separator", "共计10,000元", "共计<amt>元"},
		{"date and time are numbers", "3月29日24时", "<num>月<num>日<num>时"},
		{"redaction xxx", "请问是XXX吗", "请问是<mask>吗"},
		{"redaction stars", "户名***", "户名<mask>"},
		{"placeholder words", "DIGIT折起 call CELLPHONE", "<num>折起call<phone>"},
		{"repeated punctuation", "快来！！！", "快来!"},
		{"zero-width characters", "安\u200b全\u200d账户", "安全账户"},
		{"ascii words lower-cased and spaced", "Download the APP now", "download the app now"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Normalize(c.in); got != c.want {
				t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSegment(t *testing.T) {
	cases := []struct {
		in   string
		want []string // words that must appear as one segment
	}{
		{"请把钱转入安全账户配合调查", []string{"安全账户", "配合调查"}},
		{"您开通了百万保障服务，每月自动扣费", []string{"百万保障", "自动扣费"}},
		{"我是你领导，明天到我办公室", []string{"领导", "办公室"}},
		{"貸款需要先交解凍費", []string{"贷款", "解冻费"}},
	}
	for _, c := range cases {
		got := Segment(c.in)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Segment(%q) = %q, want the word %q", c.in, got, w)
			}
		}
	}
}

func TestLexiconLoaded(t *testing.T) {
	if len(lex.words) < 300 || lex.maxLen < 4 || lex.maxLen > 8 {
		t.Fatalf("lexicon: %d words, longest %d units", len(lex.words), lex.maxLen)
	}
}
