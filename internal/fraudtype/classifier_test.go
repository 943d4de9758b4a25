package fraudtype

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// handExamples are texts written for these tests, by hand, independently of
// the corpus templates; TestHandExamplesNotInCorpus checks that none of them
// is (part of) a training text.
var handExamples = []struct {
	label string // Normal or a taxonomy code
	text  string
}{
	{string(Police), "您好，我是上海市公安局浦东分局的民警，你的身份证被人冒用开了银行卡，涉嫌一起洗钱案，请把存款转到安全账户配合调查，不要告诉家人。"},
	{string(Police), "这里是北京市人民检察院，您涉嫌非法集资已被立案，请立即下载视频会议软件接受询问，否则明天将对您实施拘留。"},
	{string(Police), "事主王某报称，接到自称公安局民警的电话，对方称其涉嫌贩毒，要求其到宾馆开房，并把存款转入所谓的监管账户。"},
	{string(Loan), "你好，你申请的贷款已经审批通过了，但是你填的银行卡号有误，资金被冻结，需要先交3000元解冻费才能放款。"},
	{string(Loan), "当事人在短视频平台看到低息贷款广告，下载了一个借款APP，对方以流水不足为由让他先转了5000元刷流水，之后一直提不了现。"},
	{string(CustomerService), "亲，我是淘宝售后，你买的那件羽绒服质检不合格，我们要给你三倍赔偿，请打开支付宝备用金按我说的操作领取理赔款。"},
	{string(CustomerService), "您好，我是快递公司理赔部的，您的包裹在运输中弄丢了，我们按规定赔您两倍运费，请加我QQ，扫码填写一下银行卡信息。"},
	{string(CustomerService), "你好，我是抖音客服，你之前开通了百万保障服务，下个月开始每月扣费800元，如果不关闭会影响征信。"},
	{string(Boss), "小张，我是刘总，这是我新加的微信。我现在在开会不方便接电话，有个合作方急着要一笔款，你先从公司账上转8万到这个账户，回头补手续。"},
	{string(Boss), "奶奶，是我啊，您的孙子，我在外面跟人打架把人打伤了，现在被扣在派出所，要赔两万块，您千万别告诉我爸妈，先转给我。"},
	{string(Boss), "老同学，好久没联系了，我换号码了。最近手头紧，能不能先借我五千块，下个月发工资就还你。"},
	{string(Credit), "你好，我是京东金融的客服，你大学时开通的校园贷账户还没注销，按规定要注销，不然会影响你的征信，需要把金条里的额度提出来转到指定账户清零。"},
	{string(Credit), "我们能帮你消除征信上的逾期记录，三天见效，修复成功率百分之百，先交两千元服务费。"},
	{string(Rebate), "在家动动手指就能赚钱，给商家刷单点赞，一单佣金15元，第一单马上返款，后面的连单任务需要先垫付本金。"},
	{string(Rebate), "当事人被拉进一个做任务返利的群，前几单小额任务都返了钱，后来接到组合任务，先后垫付了3万元，平台以操作失误为由不让提现。"},
	{string(Investment), "老师每天在群里免费荐股，跟着老师操作，内幕消息稳赚不赔，下载这个平台APP充值就能投资。"},
	{string(Investment), "网友带我在一个虚拟币平台投资，账面盈利二十多万，但是提现要先交百分之二十的个人所得税。"},
	{string(Shopping), "低价转让一部全新的苹果手机，比官网便宜一半，不走平台，你先付定金我马上发货。"},
	{string(Shopping), "可以代办驾驶证，不用考试包过，费用三千元，先付一半。"},
	{string(Game), "小朋友，我收你的王者荣耀账号，去这个交易网站登记，你的账户因为信息填错被冻结了，要交500元解冻。"},
	{string(Game), "免费领取原神限定皮肤，用爸妈的手机扫码支付一下就能领，不要告诉家长。"},
	{string(Romance), "亲爱的，我在国外的部队马上就退伍了，回国来娶你，但是回国手续费需要两万，你先帮我垫付一下。"},
	{string(Romance), "当事人在交友软件上认识了一个男友，确定恋爱关系后，对方以母亲生病住院为由多次向她借钱。"},
	{string(HealthCare), "阿姨，我们的磁疗床垫专治高血压和关节炎，比医院的药效果好，现在一个疗程只要6800元，别告诉儿女。"},
	{string(HealthCare), "当事人多次参加免费健康讲座，被推销以一万二千元购买了灵芝孢子粉。"},
	{string(PartTime), "招聘网络兼职打字员，日结300元，时间自由，入职前要交200元押金和培训费。"},
	{string(PartTime), "高薪招聘配音员，在家就能做，先购买299元的资料包才能接单。"},
	{string(OverseasJob), "柬埔寨高薪招聘客服，月薪三万，包吃包住，机票报销，不需要护照我们安排出境。"},
	{string(OverseasJob), "当事人经人介绍以高薪务工为由前往缅甸，到了以后被扣押护照，家属被要求支付赎金。"},
	{string(AIFace), "当事人接到好友的视频电话，视频里确实是朋友的脸和声音，对方称急需用钱，让她转了5万元，事后发现是AI换脸。"},
	{string(AIFace), "刚才视频里就是我，信号不好只能打字，你先转三万给我，急用。"},
	{string(ScreenShare), "请你打开屏幕共享功能，我远程帮你操作，收到的验证码不用告诉我，我这边能看到就行。"},
	{string(ScreenShare), "当事人按对方要求开启了屏幕共享，对方看到其银行卡信息和验证码后将卡内4万元转走。"},
	{Normal, "【中国移动】尊敬的客户，您本月套餐内流量已用8.5GB，剩余1.5GB，回复TD退订。"},
	{Normal, "【顺丰速运】您的快递已到阳光小区菜鸟驿站，取件码3-2-1108，请及时领取。"},
	{Normal, "【工商银行】您尾号6621的账户3月5日14:20收入工资8500.00元，余额12033.50元。"},
	{Normal, "【美团】验证码482915，用于登录，5分钟内有效，请勿泄露给他人。"},
	{Normal, "妈，我今晚加班，不回来吃饭了，你们先吃。"},
	{Normal, "各位家长：本周五下午三点召开家长会，请准时参加，谢谢配合。"},
	{Normal, "【国家反诈中心】公安机关不会通过电话办案，更不会要求你转账到安全账户，请提高警惕。"},
	{Normal, "周末新店开业，全场八折，进店就送精美礼品，欢迎光临！"},
	{Normal, "您好，我是刚才给您打电话的4S店销售顾问小李，有需要随时联系我。"},
}

func shippedClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestShippedModelOnHandExamples(t *testing.T) {
	c := shippedClassifier(t)
	for _, ex := range handExamples {
		p := c.Predict(ex.text)
		if ex.label == Normal {
			if p.Scam {
				t.Errorf("normal text flagged as scam (p=%.2f, type %s, rules %v, phrases %v): %s", p.ScamProb, p.Type, p.Rules, p.Phrases, ex.text)
			}
			continue
		}
		if !p.Scam {
			t.Errorf("scam text not flagged (p=%.2f, type %s): %s", p.ScamProb, p.Type, ex.text)
		}
		if string(p.Type) != ex.label {
			t.Errorf("type %s (top %v, phrases %v), want %s: %s", p.Type, p.Top, p.Phrases, ex.label, ex.text)
		}
	}
}

func TestPredictionShape(t *testing.T) {
	c := shippedClassifier(t)
	p := c.Predict("你好，我是公安局的，你的银行卡涉嫌洗钱，请把钱转到安全账户。")
	if len(p.Top) != 3 || p.Top[0].Type != p.Type || p.Top[0].Name != Name(p.Type) {
		t.Fatalf("top %+v, type %s", p.Top, p.Type)
	}
	if !slices.IsSortedFunc(p.Top, func(a, b Scored) int {
		switch {
		case a.Prob > b.Prob:
			return -1
		case a.Prob < b.Prob:
			return 1
		}
		return 0
	}) {
		t.Errorf("top not sorted: %+v", p.Top)
	}
	if !slices.Contains(p.Rules, "safe-account") || !slices.Contains(p.Phrases, "安全账户") {
		t.Errorf("rule safe-account should fire and be quoted: rules %v phrases %v", p.Rules, p.Phrases)
	}
	if len(p.Phrases) == 0 || len(p.Phrases) > maxPhrases {
		t.Errorf("phrases %v", p.Phrases)
	}
	for _, ph := range p.Phrases {
		if !strings.Contains(Normalize("你好，我是公安局的，你的银行卡涉嫌洗钱，请把钱转到安全账户。"), ph) {
			t.Errorf("phrase %q is not in the normalised text", ph)
		}
	}
	if p := c.Predict(""); p.Scam || p.Type == "" {
		t.Errorf("empty text: %+v", p)
	}
}

func TestRules(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"请马上把钱转入安全账户", []string{"safe-account"}},
		{"你开通的百万保障要扣费了", []string{"million-protection"}},
		{"贷款被冻结了，要交解冻费", []string{"loan-unfreeze-fee"}},
		{"请开启屏幕共享，我帮你操作", []string{"screen-share"}},
		// Prevention messages quote the phrases; rules must stay silent.
		{"警惕！凡是要求转入安全账户的都是诈骗", nil},
		{"公安机关不会要求你把钱转到安全账户", nil},
		{"今天天气不错", nil},
	}
	for _, c := range cases {
		var got []string
		var n normalizer
		n.run(c.text)
		for _, i := range matchRules(&n, nil) {
			got = append(got, Rules[i].Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("rules on %q = %v, want %v", c.text, got, c.want)
		}
	}
	for _, r := range Rules {
		if !Valid(r.Type) || len(r.Phrases) == 0 {
			t.Errorf("rule %+v", r)
		}
		for _, p := range r.Phrases {
			if Normalize(p) != p {
				t.Errorf("rule %s: phrase %q is not in normal form %q", r.Name, p, Normalize(p))
			}
		}
	}
}

func TestPredictConcurrent(t *testing.T) {
	c := shippedClassifier(t)
	want := make([]Prediction, len(handExamples))
	for i, ex := range handExamples {
		want[i] = c.Predict(ex.text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for rep := 0; rep < 20; rep++ {
				for i, ex := range handExamples {
					p := c.Predict(ex.text)
					if p.Type != want[i].Type || p.ScamProb != want[i].ScamProb || !slices.Equal(p.Phrases, want[i].Phrases) {
						t.Errorf("concurrent prediction differs for %q", ex.text)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkPredict measures Predict on short texts (the hand examples,
// about 50 characters) on one goroutine; 1e9 / ns/op is texts per second on
// one core. cpu-ns/op is the process's CPU time per text, the figure to
// read on a machine shared with other work.
func BenchmarkPredict(b *testing.B) {
	c := shippedClassifier(b)
	var chars int
	for _, ex := range handExamples {
		chars += len([]rune(ex.text))
	}
	b.ReportAllocs()
	cpu0, ok := processCPU()
	i := 0
	for b.Loop() {
		c.Predict(handExamples[i%len(handExamples)].text)
		i++
	}
	if cpu1, ok1 := processCPU(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(chars)/float64(len(handExamples)), "chars/text")
}

// The intake and the cases share one decoded classifier: Serving is the
// shipped one, the same pointer on every call.
func TestServingIsTheShippedClassifier(t *testing.T) {
	c, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if s := Serving(); s == nil || s != c || Serving() != s {
		t.Fatalf("Serving() = %p, Shipped() = %p: want the one shipped classifier", s, c)
	}
	if p := Serving().Predict("对方自称公安局民警，说我涉嫌洗钱，要求把钱转到安全账户"); !p.Scam {
		t.Errorf("shared classifier does not flag a police impersonation text: %+v", p)
	}
}
