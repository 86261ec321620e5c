/** Word lists the synthetic shop builds its catalogue from. @internal */
export interface CategorySpec {
  readonly name: string;
  readonly department: string;
  readonly nouns: readonly string[];
  readonly nounsZh: readonly string[];
  readonly brands: readonly string[];
  /** Typical price in the shop's currency. */
  readonly basePrice: number;
}

/** @internal */
export const CATEGORY_SPECS: readonly CategorySpec[] = [
  {
    name: "shoes",
    department: "apparel",
    nouns: ["running shoes", "sneakers", "boots", "sandals"],
    nounsZh: ["运动鞋", "跑鞋", "靴子", "凉鞋"],
    brands: ["Nike", "Stride", "Feiyue"],
    basePrice: 60,
  },
  {
    name: "fashion",
    department: "apparel",
    nouns: ["t-shirt", "dress", "jacket", "scarf"],
    nounsZh: ["T恤", "连衣裙", "夹克", "围巾"],
    brands: ["Linden", "Uniq", "Meibang"],
    basePrice: 35,
  },
  {
    name: "outdoor",
    department: "sport & outdoor",
    nouns: ["tent", "backpack", "hiking pole", "sleeping bag"],
    nounsZh: ["帐篷", "背包", "登山杖", "睡袋"],
    brands: ["Summit", "Kaili", "Fjordline"],
    basePrice: 80,
  },
  {
    name: "sports",
    department: "sport & outdoor",
    nouns: ["yoga mat", "dumbbell", "football", "skipping rope"],
    nounsZh: ["瑜伽垫", "哑铃", "足球", "跳绳"],
    brands: ["Nike", "Pulse", "Li-Ning"],
    basePrice: 25,
  },
  {
    name: "kitchen",
    department: "home",
    nouns: ["teapot", "mug", "knife set", "frying pan"],
    nounsZh: ["茶壶", "马克杯", "刀具", "煎锅"],
    brands: ["Hearth", "Supor", "Oakleaf"],
    basePrice: 30,
  },
  {
    name: "home",
    department: "home",
    nouns: ["lamp", "cushion", "candle", "photo frame"],
    nounsZh: ["台灯", "靠垫", "蜡烛", "相框"],
    brands: ["Nordlys", "Muji-style", "Casa"],
    basePrice: 20,
  },
  {
    name: "electronics",
    department: "electronics",
    nouns: ["headphones", "charger", "speaker", "smart watch"],
    nounsZh: ["耳机", "充电器", "音箱", "智能手表"],
    brands: ["Voltiq", "Xiaomi", "Sonar"],
    basePrice: 90,
  },
  {
    name: "beauty",
    department: "beauty",
    nouns: ["lipstick", "face cream", "perfume", "shampoo"],
    nounsZh: ["口红", "面霜", "香水", "洗发水"],
    brands: ["Lumiere", "Perfect Diary", "Aqua"],
    basePrice: 28,
  },
  {
    name: "toys",
    department: "kids",
    nouns: ["puzzle", "building blocks", "plush bear", "kite"],
    nounsZh: ["拼图", "积木", "毛绒熊", "风筝"],
    brands: ["Playfox", "Brickly", "Qiaohu"],
    basePrice: 22,
  },
  {
    name: "baby",
    department: "kids",
    nouns: ["stroller", "baby bottle", "diaper bag", "bib"],
    nounsZh: ["婴儿车", "奶瓶", "妈咪包", "围嘴"],
    brands: ["Babybloom", "Goodbaby", "Nest"],
    basePrice: 40,
  },
  {
    name: "books",
    department: "media",
    nouns: ["novel", "cookbook", "notebook", "comic"],
    nounsZh: ["小说", "食谱", "笔记本", "漫画"],
    brands: ["Inkwell", "Zhonghua", "Paperleaf"],
    basePrice: 15,
  },
  {
    name: "pets",
    department: "pets",
    nouns: ["dog bed", "cat toy", "leash", "pet bowl"],
    nounsZh: ["狗窝", "猫玩具", "牵引绳", "宠物碗"],
    brands: ["Pawsome", "Wagly", "Miaomiao"],
    basePrice: 18,
  },
];

/** @internal */
export const ADJECTIVES = [
  "classic",
  "premium",
  "lightweight",
  "waterproof",
  "vintage",
  "compact",
  "deluxe",
  "eco",
  "soft",
  "smart",
];
/** @internal */
export const ADJECTIVES_ZH = ["经典", "高端", "轻便", "防水", "复古", "迷你", "豪华", "环保", "柔软", "智能"];
/** @internal */
export const STYLE_TAGS = [
  "eco",
  "premium",
  "budget",
  "vintage",
  "new-arrival",
  "bestseller",
  "gift",
  "minimalist",
];
/** @internal */
export const COUNTRIES = [
  "United Kingdom",
  "Germany",
  "France",
  "China",
  "Japan",
  "Korea",
  "Spain",
  "Netherlands",
];
/** @internal */
export const LANGUAGES = ["en", "de", "fr", "zh", "ja", "ko", "es", "nl"];
/** @internal */
export const AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55+"];
/** @internal */
export const DEVICES = ["mobile", "desktop", "tablet", "app"];
