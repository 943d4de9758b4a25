package fraudtype

// tradToSimp maps common traditional characters to their simplified forms.
// Scam texts forwarded from Hong Kong, Macao and Taiwan contacts, or typed on
// a phone set to traditional input, must hit the same features as the
// simplified texts the model learned from. The table holds ~690 of the most
// frequent one-to-one pairs (written for this project and checked against a
// standard converter); characters whose simplification depends on the word
// (著/着, 乾/干, 藉/借 …) are deliberately left out, so the mapping never
// changes a correct simplified text. 帳 maps to 账 rather than the
// standard 帐: in the texts we read it always means an account (帳戶,
// 轉帳), and 账 is how simplified texts write that.
//
// The table is expanded into a dense array over the CJK Unified Ideographs
// block so that the per-character lookup in Normalize is one indexed load
// instead of a map probe (it runs for every character of every text).
var tradToSimp = func() *[hanLast - hanFirst + 1]uint16 {
	const pairs = "" +
		"個个們们來来這这時时會会說说對对國国為为與与過过還还後后從从開开關关問问題题員员號号碼码電电話话銀银帳账賬账戶户轉转錢钱貸贷額额費费資资險险證证據据辦办處处務务" +
		"業业單单訂订購购買买賣卖貨货價价償偿賠赔給给讓让請请謝谢親亲愛爱媽妈爺爷孫孙兒儿學学師师領领導导長长幫帮點点擊击網网絡络線线頁页載载應应該该當当發发現现實实際际" +
		"經经驗验鏈链結结東东車车門门見见覺觉體体簡简運运動动機机構构醫医療疗藥药養养廣广場场區区縣县鄉乡鎮镇級级標标準准備备註注銷销冊册齊齐刪删積积記记錄录認认識识別别" +
		"變变換换樣样縮缩減减優优紅红獎奖勵励獲获歡欢慶庆節节願愿萬万億亿幣币鈔钞稅税戲戏遊游裝装帶带隊队團团夥伙婦妇戀恋詐诈騙骗檢检凍冻審审計计監监護护衛卫權权訊讯則则" +
		"規规範范圍围義义議议論论調调協协獨独傳传達达遞递郵邮陸陆臺台灣湾島岛歲岁齡龄傷伤禍祸緊紧兩两燈灯塊块麼么嗎吗聽听讀读寫写語语詞词書书報报紙纸筆笔圖图畫画視视頻频" +
		"聲声響响樂乐藝艺術术歷历風风雲云氣气溫温熱热涼凉陽阳陰阴雙双鳥鸟魚鱼馬马龍龙鳳凤飛飞飯饭館馆雞鸡鴨鸭蘋苹麵面湯汤禮礼貼贴層层樓楼廳厅廠厂莊庄鐵铁鋼钢銅铜錯错鎖锁" +
		"鍵键盤盘稱称種种類类質质總总統统設设獻献環环產产農农漁渔職职聯联繫系係系絕绝維维紀纪細细織织終终續续練练組组綠绿緣缘約约納纳紛纷編编縱纵繳缴績绩藍蓝蘇苏葉叶蓋盖" +
		"華华薦荐虧亏蟲虫眾众衆众補补裡里裏里複复覽览觀观討讨訓训託托許许訪访評评詢询詳详誤误誠诚誰谁課课談谈諮咨謀谋講讲謹谨譯译讚赞貝贝負负財财貢贡貧贫販贩貪贪責责貴贵" +
		"貿贸賓宾賞赏賺赚賽赛贈赠贏赢趕赶趙赵跡迹踐践軍军軟软較较輕轻輛辆輸输進进遠远違违連连遲迟適适選选遺遗邊边鄰邻釋释針针鈴铃鍋锅鏡镜閉闭閃闪閱阅闆板陣阵陳陈隨随隱隐" +
		"難难雜杂離离靈灵靜静韓韩頂顶項项順顺須须預预頭头顏颜顧顾顯显飲饮餘余饋馈驅驱驚惊髮发鬆松魯鲁鮮鲜麗丽黃黄黨党齒齿龜龟匯汇廢废彈弹徵征徑径態态憑凭懷怀戰战擁拥擔担" +
		"擋挡擬拟擴扩攝摄敗败敵敌數数斷断暫暂曆历曉晓極极槍枪檔档欄栏歸归殘残沒没況况滅灭滿满漢汉漲涨潔洁濟济濕湿災灾爭争爲为牆墙獄狱瑪玛産产畢毕異异盡尽盜盗礎础確确穩稳" +
		"窮穷競竞篩筛簽签籃篮糧粮糾纠紋纹純纯紹绍絲丝綁绑綫线綿绵緩缓繩绳罰罚罷罢羅罗習习聖圣聞闻膽胆腦脑臉脸臨临舉举艱艰蘭兰蝦虾衝冲製制褲裤襲袭觸触誌志誕诞諾诺謊谎謠谣" +
		"豐丰豬猪貓猫趨趋躍跃軌轨輔辅輯辑轟轰辭辞醜丑釘钉鈕钮鋪铺錦锦鍛锻鐘钟鑰钥閒闲間间閣阁闊阔隻只雖虽霧雾頒颁頓顿頗颇顆颗飄飘餓饿饒饶駕驾駛驶騎骑驕骄鬥斗鬧闹鹽盐麥麦" +
		"傑杰偽伪儲储僅仅倉仓兌兑剛刚創创劃划劉刘勞劳勢势勸劝厲厉參参叢丛嚴严圓圆壓压壞坏壽寿奪夺奮奋妝妆寧宁寶宝尋寻將将專专屆届屬属幹干幾几庫库廟庙張张彌弥徹彻恥耻惡恶" +
		"惱恼慣惯慮虑憂忧擇择擠挤擾扰攜携敘叙斂敛晉晋暈晕曬晒朧胧條条楊杨橋桥櫃柜歐欧殺杀氫氢決决沖冲洩泄淚泪淨净淺浅測测湧涌溝沟滬沪滯滞漿浆潛潜澤泽濃浓瀏浏灑洒爐炉爛烂" +
		"牽牵猶犹獅狮瑣琐甕瓮畝亩瘋疯癒愈睜睁矯矫礙碍禦御禪禅窩窝竊窃箏筝糞粪紮扎紡纺縫缝繪绘繼继纜缆罈坛翹翘聰聪肅肃脅胁脫脱膚肤興兴艙舱芻刍莖茎薑姜蟻蚁訴诉診诊試试詩诗" +
		"誇夸誘诱説说諒谅謂谓譜谱豎竖貫贯賀贺賄贿賊贼賦赋賭赌賴赖贊赞蹤踪軸轴遜逊鄭郑醬酱釀酿鈞钧銳锐鋒锋錶表鍾钟鏟铲鑒鉴鑽钻閑闲闖闯陝陕隸隶韋韦頌颂頸颈顛颠飼饲餅饼騰腾" +
		"骯肮鬍胡鴻鸿鵝鹅鷹鹰黴霉"
	var t [hanLast - hanFirst + 1]uint16
	r := []rune(pairs)
	for i := 0; i+1 < len(r); i += 2 {
		t[r[i]-hanFirst] = uint16(r[i+1])
	}
	return &t
}()

// The CJK Unified Ideographs block, where all characters of the table live.
const (
	hanFirst = 0x4E00
	hanLast  = 0x9FFF
)

// simplify returns the simplified form of r, or r itself.
func simplify(r rune) rune {
	if r >= hanFirst && r <= hanLast {
		if s := tradToSimp[r-hanFirst]; s != 0 {
			return rune(s)
		}
	}
	return r
}
