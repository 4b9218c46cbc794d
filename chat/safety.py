"""Signals read from the question before anything is retrieved: danger (show the crisis
notice), requests for private people's data, and attempts to re-instruct the system.
Plain regular expressions in English and Russian: deterministic and testable.
"""
from __future__ import annotations

import re
import unicodedata

_I = re.I | re.S
# a plan for suicide said without the word: pills saved up, "easier to just stop" (reader set g, 2026-12-05)
PLAN_UNNAMED = (r"\b(saving|saved|stockpil\w+|hoard\w*|collect(ing|ed))\s+(up\s+)?(my\s+|all\s+)?(the\s+)?(sleeping\s+)?"
                r"(pills|tablets|meds|medication)\b|\b(easier|better)\s+(to|if\s+i)\s+(just\s+)?(stop|end\s+it|give\s+up|"
                r"not\s+wake\s+up|disappear)\s*([.!,]|$)|копл\w+\s+(\w+\s+)?(таблетк|снотворн)|"
                # not waking up, wished for (set m, m29: "it would be easier to just not wake up tomorrow")
                r"\b(easier|better)\s+(to|if\s+i)\s+(just\s+)?(not|never|didn'?t|did\s+not|wouldn'?t|would\s+not|don'?t)\s+wake\s+up\b|\bwish\s+i\s+(would|could)\s+(just\s+)?"
                r"(not|never)\s+wake\s+up\b|\b(can'?t|cannot)\s+keep\s+(doing|going on like)\s+this\b.{0,80}\b(wake|die|end|gone)\b|"
                r"\btired\s+of\s+(living|being alive)\b|"
                # sleep and never wake (set cc, cc52: "i just want to go to sleep and not wake up")
                r"\b(want|wanna|wish|like)\s+(to\s+)?(just\s+)?(go\s+to\s+)?sleep\s+and\s+(not|never)\s+wake\s+up\b|"
                # rather not be alive than sent back (set aa, aa40: "id rather not wake up tomorrow than get sent back")
                r"\b(i'?d|i\s+would)\s+(much\s+)?rather\s+(just\s+)?(not\s+wake\s+up|be\s+dead|die|not\s+(be\s+alive|exist|live))\b|лучше\s+(бы\s+)?(мне\s+)?(бол[ьъ]?ше\s+)?(не|никогда\s+не)\s+(просн[уё]ться|просыпаться)|"
                r"не\s+хочу\s+(бол[ьъ]?ше\s+)?просыпаться|устал\w*\s+жить|"
                # ending "all this", said plainly (set o, o26: "Я больше не могу... проще всё это закончить")
                r"(проще|легче|лучше)\s+(бы\s+)?(мне\s+)?(всё|все)\s+(это\s+)?(закончить|прекратить)|покончить\s+со\s+всем|"
                r"(хочу|думаю|решил\w*)\s+(всё|все)\s+(это\s+)?закончить|"
                r"\b(easier|better)\s+to\s+(just\s+)?end\s+(it\s+all|all\s+(of\s+)?this|everything)\b|"
                # pills kept for it, no point said as a question, wishing not to exist (set p, p18 and p52)
                r"\b(pills|tablets|meds|medication)\s+(saved|stockpiled|hoarded)\s+up\b|\b(pills|tablets)\s+(stockpiled|hoarded)\b|"
                r"\bwhat'?s\s+(even\s+)?the\s+point\s+(any\s?more|of\s+(living|anything|it all|going on))|"
                # thinking of ending it (set y, y26, missed by both versions: "ive been thinking about just ending it")
                r"\b(thinking|thought|think)\s+(about|of)\s+(just\s+)?(ending\s+(it|it\s+all|my\s+life|everything|things)"
                r"(?!\s+with\b)|killing\s+myself|taking\s+my\s+(own\s+)?life|not\s+(being\s+here|waking\s+up))\b|"
                r"(думаю|думал\w*|подумываю|мысли)\s+(о\s+том,?\s+)?(чтобы\s+)?(всё\s+|все\s+)?(закончить|покончить)\s+"
                r"(с\s+собой|со\s+всем|с\s+жизнью)|"
                r"лучше\s+бы\s+(меня|я)\s+(вообще\s+)?(не\s+было|не\s+существовал\w*|не\s+родил\w*)")
# no point any more, better if I just end it: said without the words "suicide" or "kill"
NO_POINT = (r"\bdon'?t\s+see\s+(the|any)\s+point\s+(any\s?more|(in|of)\s+(anything|living|life|going on|waking up|"
            r"getting up|it all))|\b(better off|happier)\s+without\s+me\b|"
            r"\b(better|easier)\s+(off\s+)?((for|on)\s+(everyone|everybody|all of them|them|my family|all)\s+)?(if|that|when)\s+i\s+"
            r"(just\s+)?(end it|die|disappear|was gone|wasn'?t (here|alive|around)|was not (here|alive|around))|"
            r"\bend it all\b|\bbetter off dead\b|"
            # "i cant keep living like this... everyone would be better off if i just wasnt here" (set v, v54: no notice)
            r"\b(can'?t|cannot|can not)\s+keep\s+(living|going on|existing)\s+like\s+this\b|"
            # "id rather end it here myself. theres no point anymore" (set s, s18, after a final refusal)
            r"\b(i'?d|i would|i'?ll|i will|gonna|going to)\s+(rather\s+)?(just\s+)?end\s+it\b(?!\s+with\b)|"
            r"\bthere'?s\s+no\s+point\s+(any\s?more|in\s+(living|anything|going on|trying))|"
            r"(нет|не\s+вижу)\s+смысла\s+(жить|дальше\s+жить)|смысла\s+жить\s+(больше\s+|уже\s+)?нет|"
            r"(лучше|проще)\s+(я\s+)?(сам\w*\s+)?(всё\s+|все\s+)?(закончу|поконч\w+)\s+(здесь|тут|сейчас|сам\w*)")
# "i want to die", "wish i was dead", "хочу умереть": the plainest words for it (missed until 2026-12-05, session 9;
# "i don't want to die" is fear of being killed, which the danger list reads as a threat)
WANT_TO_DIE = (r"(?<!n't )(?<!not )(?<!dont )\b(want|wanna|wish|ready)\s+(to\s+)?die\b|\bwish\s+i\s+(was|were)\s+dead\b|"
               r"\bwant\s+to\s+be\s+dead\b|(?<!не )\bхочу\s+умереть|\bлучше\s+бы\s+я\s+умер|\bхочу\s+сдохнуть")
# the warning signs of suicide said without the word: things given away, a letter left, pills at hand
WARNING_SIGNS = (
    r"\b(gave|given)\s+(away\s+)?(all\s+)?(my|of my)\s+(things|stuff|belongings)\b|"
    r"\b(wrote|written|writing|left)\s+(a|my)\s+(goodbye\s+)?(letter|note)\s+(to|for)\b|"
    # letters to one's family (set dd, dd39, missed by both versions: "i already gave my cat to my neighbour and wrote
    # letters to my sister"; a pet given away is also said before emigrating, so it is not read alone)
    r"\b(wrote|written|writing|left)\s+(goodbye\s+|farewell\s+)?(letters|notes)\s+(to|for)\s+(my|each\s+of\s+my)\s+"
    r"(sister|brother|mum|mom|mother|father|dad|family|parents|friends|kids|children|partner|boyfriend|girlfriend)s?\b|"
    r"\b(pills|tablets)\b.{0,40}\b(here|on the table|in front of me|next to me|ready)\b")

DANGER = [re.compile(p, _I) for p in (
    WANT_TO_DIE,
    r"\b(kill|hurt|harm|beat|torture|murder|shoot)\w*\s+(me|us|myself)\b",
    r"\b(want|going|plan\w*|trying|thinking about)\s+(to\s+)?(kill|hurt|harm|killing|hurting)\s+(myself|me)\b",
    r"\bsuicid\w*|\bend (my|it all)\b.*\blife\b|\btake my (own )?life\b|\bdon'?t want to live\b",
    r"\bi('m| am)\s+(in danger|not safe|scared for my life|afraid for my life|hiding|being (followed|watched|"
    r"hunted|held|threatened|blackmailed|beaten|persecuted))",
    r"\b(my|our)\s+(family|relatives|father|dad|mother|brother|uncle|cousins?|husband|parents)\b.{0,60}"
    r"\b(kill|murder|threat\w*|beat\w*|honou?r|found out|will find)\b",
    r"\b(police|officers|kadyrov\w*|security|they|men)\b.{0,40}\b(looking for|came for|coming for|threaten\w*|"
    r"took|take)\s+(me|us|my\s+(passport|phone|documents|papers|son|daughter|child(ren)?|kids|partner|boyfriend|"
    r"girlfriend|husband|wife|friends?|brother|sister))\b",  # "they took my fingerprints" is the asylum procedure (set e, e16)
    r"\b(i|we)\s+(was|were|am|are|have been|'ve been|got)\s+(detained|arrested|kidnapped|abducted|beaten|tortured|"
    r"outed|threatened|blackmailed)\b",
    r"\bmy\s+(friend|partner|boyfriend|girlfriend|brother|sister|husband|wife)\s+(was|has been|is being|got)\s+"
    r"(detained|arrested|taken|kidnapped|abducted|beaten|tortured|killed)\b",
    r"\b(help me|i need to|i have to|how (can|do) i)\s+(escape|flee|get out of|run away|hide)\b",
    r"\bthreaten\w*\s+(me|us)\b|\bblackmail\w*\s+(me|us)\b|\bi('m| am) in danger\b",
    r"\b(can'?t|cannot|can not)\s+(live|go on|take (it|this))\b(?!\s+(openly|freely|safely|as|in|there|here|with))|\bdon'?t\s+want\s+to\s+(be alive|live|exist|wake up)\b",
    r"\b(no|don'?t see the|lost the)\s+(point|reason)\s+(in|to|of)\s+(living|live|going on)\b",
    r"\bwant\s+(it all|everything|this|the pain)\s+to\s+(stop|end)\b|\bhurt(ing)? myself\b",
    NO_POINT,
    WARNING_SIGNS +  # ... and telling someone "before"
    r"|\bwant(ed)?\s+to\s+(tell|say goodbye to)\s+(someone|somebody|you)\s+before\b",
    # a threat without the word: someone outside at night, knows where I live, a video sent unless I pay
    r"\b(knows?|found out|find out)\s+where\s+i\s+live\b|\b(car|van|man|guy|someone|they)\s+(is|are)\s+outside\b|"
    # the same car at the door for days (set cc, cc20, read only by meaning until then)
    r"\bsame\s+(\w+\s+)?(car|van)\s+(has\s+been\s+|was\s+|is\s+)?(parked\s+)?(outside|near|by|in front of)\s+my\b|"
    r"\b(send|show|post|share)\w*\b.{0,40}\b(video|photos?|pictures?|pics)\b.{0,60}\b(if i don'?t|unless i)\b|"
    r"\bcan'?t\s+breathe\b",
    # known about and unable to stay ("they know about me. cant stay home"), help asked in a hurry
    r"\bthey\s+(know|found out)\s+(about|abt)\s+me\b|\bcan'?t\s+(stay|go|sleep)\s+(at\s+)?home\b|"
    r"\b(pls|plz)\s+help\b",
    r"\b(locked|lock|locking)\s+me\s+(in|up)\b|\bthreaten\w*\s+to\s+(out|expose|kill|hurt|report|beat)\b",
    r"\b(police|officers|they|men)\s+(are|were)\s+(outside|at|near)\s+my\b|\basking\s+(the\s+)?(neighbou?rs|people)"
    r"\s+about\s+me\b",
    r"\b(nobody|no one|no-one)\s+(has\s+)?(heard|seen)\s+(from\s+)?(him|her|them)\b|\b(disappeared|missing)\s+since\b",
    r"\bi'?ll\s+be\s+(tortured|killed|arrested|jailed|beaten)\b",  # not "will they send me back": a Dublin question
    r"\b(deal with|get rid of|(?<!cant )(?<!can\'t )(?<!cannot )(?<!not )punish)\s+(him|her|me|us)\b|\b(called|summoned|taken)\s+to\s+the\s+police\b",
    # fear said of oneself, not a worry about a procedure ("im scared they'll put me with guys from home")
    r"\b(i'?m|i am)\s+(so\s+|really\s+|very\s+)?(scared|terrified|afraid)\s*([.!,]|$|(for|of)\s+(my life|my family|"
    r"them|him|her|what)|to\s+(sleep|go (out|home|back(?!\s+to\b))|leave))|\bplease help\b(?!\s+me\s+(understand|find|with|know|figure|to|get))(?!\s+(with|understand))"
    r".{0,30}$",
    r"\b(убь[её]т|убить|убьют)\s+меня|меня\s+(убь[её]т|убьют|убить)|угрожа\w*\s+(мне|нам)|(мне|нам)\s+угрожа",
    r"я\s+в\s+опасности|помогите\s+(мне\s+)?(сбежать|уехать|спрятаться|выбраться)|покончить\s+с\s+собой|суицид|"
    r"(думаю|думал\w*|мысли|мыслей|подумываю)\s+(о|об|про)\s+самоубийств|совершить\s+самоубийство|убить\s+себя|"
    r"покончу\s+с\s+собой",
    r"меня\s+(задержали|ищут|похитили|избили|шантажир\w*|пытали|преследуют)|семья\s+узнала|родственники\s+узнали",
    r"(родн\w*|родственник\w*|семь\w+|дяд\w+|отец|брат\w*)\s.{0,30}(найти|найдут|ищ\w+|убь\w+|угрож\w+)\s*(меня)?",
    r"(забрали|задержали|похитили|увезли)\s.{0,25}(полици|отдел)|не\s+могу\s+(бол[ьъ]?ше\s+)?жить?\b|не\s+хочу\s+(бол[ьъ]?ше\s+)?жить?\b",
    # the messages in danger of danger_messages.jsonl and its held-out twin (2026-12-07) that neither reading caught
    r"хочу\s+(просто\s+)?(исчезн|ищезн)\w*|\bhochu\s+(prosto\s+)?ischezn\w*|\bshantazh\w*|\bя\s+следу[юу][шщ]\w*\s*\?|"
    r"чтобы\s+не\s+проснуться|сколько\s+таблеток|шантажиру\w*|"
    r"(домой|дома)\s+(мне\s+)?(сегодня\s+|теперь\s+|больше\s+)?нельзя|помогите\W+(они|он|она)\s+(знают|знает|узнал\w*)|"
    r"(отправ|покаж|выложи|разошл)\w*\s.{0,40}(фото|видео).{0,60}\bесли\s+не\s+(заплач|да[мю]|переведу)",
    r"\bhow\s+many\s+(of\s+(my|these|the)\s+)?(pills|tablets)\b.{0,20}\b(would it take|to die|to not wake|does it take)|"
    r"\b(am i|i'?m|i am)\s+next\b|^\W*help\W+(they|he|she)\s+(know|knows|found out)\b|"
    r"\b(they'?re|they are|police are|cops are)\s+holding\s+me\b|\bto\s+['\"‘’]?(fix|cure)\s+me\b|"
    r"\b(cops|police|officers|they|men)\s+(are\s+)?(at|outside)\s+(the|my)\s+(door|flat|house|apartment)\b",
    r"\bya v opasnosti\b|\bmenya (ishchut|ischut|ishut|ubyut|ubjut|zaderzhali)\b|\bpomogite\b.{0,30}(sbezhat|uekhat|uehat)",
    # Danger said without naming it (blind reader check, 2026-12-05: two of four such messages were
    # missed): the family's honour and what "that" means, relatives on their way, a family that read
    # one's messages, a police summons, someone taken who was never seen again.
    r"\b(shamed|dishono\w*|disgraced)\s+(the|our|my|his)\s+family\b|\b(destroyed|ruined|stained)\s+(the|our|my|his)\s+"
    r"family('?s)?\s+honou?r\b|\b(i|you|i'?ve|you'?ve|i have|you have)\s+(brought|bring)\s+shame\b|"
    # what relatives "will take care of" is the person (set k, k15: "my uncles will 'take care of it' after friday prayer")
    r"\b(family|relatives|father|dad|brothers?|uncles?|cousins?|parents)\b.{0,40}\b(will|gonna|going to|want to)\s+"
    r"['\"‘’]?(take care of|deal with|handle|sort out)\s+(it|this|that|me|him|her|us)\b|"
    r"\bi\s+know\s+what\s+(that|this|it)\s+means\b",
    r"\b(uncle|father|dad|brothers?|cousins?|relatives|family|clan)\b.{0,40}\b(is|are)\s+coming\s+"
    r"(tomorrow|tonight|today|here|for me|to get me)\b",
    r"\b(family|father|dad|mother|mum|mom|brothers?|parents|uncle|relatives)\b.{0,50}\b(found|saw|read|went through|"
    r"went thru|looked through|looked thru|checked)\b.{0,30}\b(my\s+)?(chats?|messages|phone|photos|texts)\b",
    r"\b(police|officers|they)\b.{0,40}\b(called me|summoned me|told me to come|want(s|ed)? to (talk to|see) me|"
    r"asked me to come)\b|\b(never|nobody|no one|no-one)\s+(has\s+)?(seen|heard from)\s+(him|her|them)\s+(again|since)\b",
    r"позвонили\s+из\s+(полиции|отдела|участка)|вызы?ва\w*\s+(меня\s+)?(в|на)\s+(полици|отдел|участ|допрос)|"
    r"(прийти|явиться)\s+(в\s+(полицию|отдел|участок)\s+)?[«\"]?поговорить|бол[ьъ]?ше\s+никто\s+не\s+видел|"
    r"опозорил\w*\s+(семью|род)|позор\s+(для\s+)?(семьи|рода)|знаю,?\s+что\s+это\s+значит",
    # Russian, written or transliterated (a transliterated question is also read in Cyrillic, see
    # signals_danger, where "ubet" comes out without the soft sign): threats, family finding out,
    # being locked up or married off by force, an urgent need to flee.
    r"уб[ьъ]?[её]т\s+меня|меня\s+уб[ьъ]?(ют|[её]т)\b|"
    # the verb apart from "меня": "если меня найдут, убьют" (found on review, session 16)
    r"\bменя\s+\w+,?\s+(то\s+)?уб[ьъ]?(ют|[её]т)\b(?!\s+ли\b)",
    r"(родн\w*|родител\w*|семь[яеи]|отец|мать|мама|папа|брат\w*|дяд\w+|муж)\s+(\w+\s+)?(узнал\w*|узнают)",
    r"(гроз\w+|угрожа\w+)\s+(\w+\s+){0,2}(убить|убь\w+|запереть|запрут|избить|выдать|женить|сдать|вернуть)",
    r"(выдать|выдадут|выдают|отдать|отдадут)\s+(\w+\s+)?замуж|(насильно|силой|против\s+воли)\s+(\w+\s+)?"
    r"(замуж|женить|выдать)",
    r"(запереть|запрут|заперли|запирают)\s+(\w+\s+)?(меня|дома)|меня\s+(заперли|запрут|запирают)",
    # held at home, papers taken, taken away to be "cured" or married off; fear said of oneself with nowhere to
    # go; watched at one's door (reader sets e and f, 2026-12-05: each missed one such message)
    r"меня\s+(держат|не\s+выпускают|не\s+отпускают)|(забрал[аи]?|отобрал[аи]?)\s+(у\s+меня\s+)?(телефон|паспорт|документы)|"
    # the other order, "cured" or buried, a marriage or else (set x, x15: "если я до осени не выйду замуж, меня
    # «вылечат» или похоронят. Паспорт забрал отец")
    r"(паспорт|документы)\s+(у\s+меня\s+)?(забрал\w*|отобрал\w*|отнял\w*|спрятал\w*)\s+(отец|папа|брат\w*|мать|мама|"
    r"дяд\w+|родител\w*|семья|муж|родн\w*)|меня\s+\W?(вылечат|похоронят|закопают)|\b(bury|burying)\s+me\b|"
    r"\b(father|dad|mother|mum|mom|brothers?|uncles?|family|parents)\s+(took|has taken|have taken|hid|hides|kept)\s+my\s+"
    r"(passport|papers|documents)\b|"
    r"(отвезут|увезут|повезут|везут|отправят)\s.{0,30}(лечить|замуж|к\s+имаму|к\s+мулле|в\s+чечн|в\s+грозн|разбира)|"
    r"знаю,?\s+чем\s+это\s+(кончается|закончится|кончится)",
    PLAN_UNNAMED,
    r"мне\s+(очень\s+|так\s+)?страшно\s*([.!,]|$|я\s+не\s+знаю)|не\s+знаю,?\s+куда\s+(мне\s+)?(идти|бежать|деться|пойти)\s*([.!,]|$|сейчас)|"
    # at one's door: "у подъезда", "возле дома", "около дома" (set w, w18: "возле дома стоит одна и та же машина")
    r"((у|возле|около|перед|напротив)\s+(моего\s+)?(под[ъь]?езда|дома)|под\s+окнами)\s.{0,40}(сто(ит|ят|ял\w*)|ждал?\w*|следи?\w*)|"
    r"(сто(ит|ят|ял\w*)|ждал?\w*|следи?\w*)\s.{0,20}((у|возле|около|перед|напротив)\s+(моего\s+)?(под[ъь]?езда|дома)|под\s+окнами)|"
    # strangers asking after one, afraid to go out, afraid of not being let go (set u, u16 and u29: a car at the door
    # for three days, "про меня спрашивали какие-то люди"; a police summons, "боюсь что меня не отпустят")
    r"(про|обо)\s+(меня|мне)\s+(\w+\s+)?(спрашивал\w*|расспрашивал\w*|интересовал\w*)|(спрашивал\w*|расспрашивал\w*)\s+"
    r"(\w+\s+)?(про|обо)\s+(меня|мне)\b|(боюсь|страшно|стр[её]мно)\s+(выходить|выйти)\s+из\s+(дома|квартиры|комнаты)|"
    r"боюсь,?\s+что\s+меня\s+(не\s+(отпустят|выпустят)|(там\s+)?(оставят|задержат|посадят|закроют))",
    r"\b(won'?t|don'?t|will not|do not)\s+let\s+me\s+(leave|go out|out)\b|\bkeep(ing)?\s+me\s+(locked|inside|at home)\b|"
    r"\b(take|send|taking|sending)\s+me\s+(to|for)\s+(an?\s+)?(imam|mullah|treatment|cure|conversion|be married|marriage)\b|"
    r"\bforc\w+\s+(me\s+)?(to\s+marry|into\s+(a\s+)?marriage)\b|\bi\s+don'?t\s+know\s+where\s+to\s+(go|run|hide)\s*([.!,]|$|now|tonight|any\s?more)",
    # watched, or the police asking after one (set q, q18: "за мной следят... из полиции звонил маме и спрашивал
    # где я" got a refusal and no notice)
    r"за\s+мной\s+(следят|следит|следили|ходят|ходит|наблюдают)(?!\s+(в|через)\s+(соцсет|интернет|сет))|(ищ(ет|ут)|разыскива\w+)\s+меня|"
    r"(полици\w*|отдел\w*|участк\w*|силовик\w*)\s.{0,60}где\s+я\b",
    r"\b(someone|somebody|a man|men|a car|they)\s+(is|are|has been|have been|keeps?)\s+(watching|following)\s+me\b|"
    r"\b(police|officers)\b.{0,60}\b(ask|asks|asking|asked|looking)\b.{0,30}\bwhere\s+i\s+(am|live|stay)\b",
    r"(надо|нужно)\s+(срочно\s+)?(бежать|сбежать|спрятаться|скрыться)|срочно\s+(надо|нужно)\s+(бежать|уехать|"
    r"спрятаться|скрыться)|куда\s+(мне\s+)?срочно\s+(обратиться|бежать|идти)",
)]
ORG_WORDS = r"(unhcr|railroad|sos|office|embassy|hotline|helpline|line|organi[sz]ation|network|hotline|ngo|charity|group|centre|center|court|ministry)"
PRIVATE_DATA = [re.compile(p, _I) for p in (
    r"\bhome\s+address|\b\w+'s\s+(home\s+|current\s+)?address\b",
    r"\b(personal|private|home)\s+(whatsapp\s+|telegram\s+|phone\s+|mobile\s+|cell\s+)?(number|e-?mail|contacts?)\b",
    rf"\baddress(es)?\s+(of|for)\s+(?!((the|an?|their|its)\s+)?([\w-]+\s+){{0,4}}{ORG_WORDS}\b)\w+",
    r"\bwhere\s+(does|do|did|can i find)?\s*[\w'\s]{1,40}?\s+(live|lives|living|stay|stays|hiding)\s+(now|today)?\s*\??$",
    rf"\b(phone|telephone|mobile)\s+number\s+(of|for)\s+(?!((the|an?)\s+)?([\w-]+\s+){{0,4}}{ORG_WORDS}\b)",
    # a list of people, not of places or countries ("list of gay-friendly countries" is innocent)
    r"\b(list|names?)\s+(of\s+)?(all\s+)?(the\s+)?((named|known|real|local)\s+)?"
    r"((gay|lesbian|trans\w*|bi|lgbt\w*|queer|homosexual)\s+(men|women|people|persons|guys|activists|boys|girls)|"
    r"gays|lesbians|homosexuals)\b",
    # "who is gay (in my village)", not "who are LGBT people" or "who is gay-friendly"
    r"\bwho\s+(is|are)\s+(secretly\s+|really\s+)?(gay|lesbian|trans|bi|lgbt\w*|queer|homosexual)\b(?!-)"
    r"(?!\s+(people|persons|men|women|refugees|asylum|rights|activists|organi[sz]ations?)\b)",
    # a named person: two capitalised words, matched case-sensitively ("is the Russian gay ..." is not a name)
    r"\b(is|are)\s+(?-i:[A-Z][a-z]+\s+[A-Z][a-z]+)\s+(gay|lesbian|trans|bi|homosexual)\b",
    r"\b(find|identify|expose|out|track|locate)\w*\s+(gay|lesbian|trans\w*|lgbt\w*|homosexual|queer)\s+(men|women|"
    r"people|persons|guys)\b",
    r"\b(need|want|give me|tell me|send me|find|get)\b.{0,30}\b(their|his|her)\s+(names?|address\w*|phone|numbers?|"
    r"contacts?|location|whereabouts)\b",
    r"(личн\w+|домашн\w+)\s+(номер\w*|телефон\w*|e-?mail|почт\w+)|"  # set q, q03: a lawyer's personal number
    r"домашн\w+\s+адрес|адрес\w*\s+(у\s+)?(моего|моей|его|её|ее|их|этого|этой)\b|"
    r"(адрес|где\s+(сейчас\s+)?жив[её]т|телефон)\s+(?-i:[А-ЯЁ][а-яё]+)|список\s+(геев|лесбиянок|лгбт[\s-]*(людей|активистов))"
    r"|кто\s+(из\s+\w+\s+)?(гей|лесбиянка)\b",
)]
# Requests for a service rather than for knowledge: a particular provider or venue, opening
# hours, the weather. Refuge's articles explain rights and procedures and how to find help; they
# name no lawyer to hire and keep no timetables. (Fees are left to relevance: some articles give them.)
PROVIDERS = r"(lawyers?|attorneys?|solicitors?|barristers?|advocates?|doctors?|therapists?|psychologists?|bars?|clubs?|" \
            r"saunas?|restaurants?|hotels?|hostels?|apartments?|flats?|dating apps?|agenc(y|ies)|translators?)"
SERVICE = [re.compile(p, _I) for p in (
    rf"\b(recommend|suggest|name|know|give me|find me)\s+(me\s+)?(a|an|any|some|the)?\s*(good|best|great|reliable|"
    rf"cheap|nice|decent|trustworthy|gay[- ]friendly|lgbt\w*[- ]friendly)?\s*(asylum\s+|immigration\s+|gay\s+|"
    rf"queer\s+|lgbt\w*\s+)?{PROVIDERS}\b",
    rf"\b(best|good|cheap|cheapest|affordable|top)\s+(asylum\s+|immigration\s+|gay\s+|queer\s+)?{PROVIDERS}\s+(in|near|around)\b",
    r"\b(is there|are there|where (is|are|can)|any good|a good|the best|looking for|find)\b.{0,25}\b(gay|queer|lgbt\w*)\s+"
    r"(bars?|clubs?|saunas?|night ?life|parties|party|cafes?)\b",
    r"\bopening (hours|times)\b|\bwhat time does\b.{0,40}\b(open|close)\b|\bopen on (saturdays?|sundays?|weekends?)\b",
    r"\b(weather|forecast)\b",
    r"\b(visa|schengen)\s+(application\s+)?(fees?|costs?|prices?)\b|\bhow much (is|does|do|are)\b.{0,30}\bvisas?\b|"
    r"визов\w*\s+сбор\w*|сколько стоит\b.{0,20}\bвиз\w*",  # a visa's price: a consulate's page says it, for today
    r"(посоветуй\w*|порекомендуй\w*|подскажи\w*)\s+(\S+\s+){0,2}(юрист\w*|адвокат\w*|бар\w*|клуб\w*|врач\w*|"
    r"психолог\w*|сериал\w*|фильм\w*|хостел\w*|гостиниц\w*|отел\w*|ресторан\w*|кафе)",  # a place to stay or eat:
    # "Посоветуйте недорогой хостел в Ереване..., переезжаю на следующей неделе" (set hh, hh57) read as fleeing
    r"(есть ли|где|хорош\w+|лучш\w+|посоветуй\w*)\s.{0,20}гей-?(бар|клуб)\w*|часы работы|во сколько (открывается|закрывается)|\bпогод\w*",
)]
INJECTION = [re.compile(p, _I) for p in (
    r"\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions|rules|prompt|guidelines|previous|above)\b",
    r"\b(you are now|pretend (to be|you are)|act as|role-?play as|from now on you)\b|\blet'?s\s+role-?play\b|"
    r"\bstay in character\b",
    r"\b(system prompt|developer mode|jailbreak|DAN mode|you are DAN)\b|\byou\s+(can|will|could|must)\s+do anything now\b",
    r"\b(turn off|disable|bypass|switch off|remove)\b.{0,30}\b(rules?|filters?|safety|restrictions?|guardrails?)\b",
    r"\bas your (developer|creator|admin\w*|owner|programmer)\b|^\s*(system|assistant)\s*:|\bnew (system )?policy\b",
    r"\b(answer|respond|reply)\s+(only\s+)?(from|with|using)\s+your\s+own\s+knowledge\b",
    r"(игнорируй|забудь|забыть|не\s+обращай\s+внимания\s+на)\w*\s+(все\s+)?(предыдущие\s+|прошлые\s+)?"
    r"(инструкци|правил)",
)]


def normalise_question(text: str) -> str:
    """Drop control and direction-override characters; fold runs of white space."""
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", text)
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return re.sub(r"\s+", " ", cleaned).strip()


def signals_danger(question: str) -> bool:
    """A question from someone who may be in danger now (see `danger_kind`)."""
    return danger_kind(question) is not None


# Which kind of danger (`danger_kind`), read only when `signals_danger` is true. Self-harm is
# checked first (a life at risk from the person's own hand comes before anything else), then
# violence or threats from other people, then an urgent need to get away.
SELF_HARM = [re.compile(p, _I) for p in (
    PLAN_UNNAMED,
    WANT_TO_DIE,
    r"\bsuicid\w*|\b(kill|hurt|harm|cut)(ing)?\s+myself\b|\bend (my|it all)\b.*\blife\b|\bend it all\b",
    r"\btake my (own )?life\b|\bdon'?t\s+want\s+to\s+(be alive|live|exist|wake up)\b",
    r"\b(can'?t|cannot|can not)\s+(live|go on|take (it|this))\b(?!\s+(openly|freely|safely|as|in|there|here|with))",
    r"\b(no|don'?t see the|lost the)\s+(point|reason)\s+(in|to|of)\s+(living|live|going on)\b",
    r"\bwant\s+(it all|everything|this|the pain)\s+to\s+(stop|end)\b",
    NO_POINT,
    WARNING_SIGNS,
    r"покончить\s+с\s+собой|покончу\s+с\s+собой|суицид|(думаю|мысли)\s+(о|об|про)\s+самоубийств|не\s+(хочу|могу)\s+(бол[ьъ]?ше\s+)?жить?\b|убить\s+себя",
)]
VIOLENCE = [re.compile(p, _I) for p in (
    r"\b(kill|hurt|harm|beat|torture|murder|shoot)\w*\s+(me|us)\b|\bthreat\w*|\bblackmail\w*",
    r"\b(family|relatives|father|dad|mother|brother|uncle|cousins?|husband|parents|police|officers|kadyrov\w*|"
    r"security|men)\b",
    r"\b(detained|arrested|kidnapped|abducted|beaten|tortured|outed|taken|killed|hunted|followed|watched|held)\b",
    r"\b(locked|lock|locking)\s+me\b|\b(deal with|get rid of|(?<!cant )(?<!can\'t )(?<!cannot )(?<!not )punish)\s+(him|her|me|us)\b|\bdeport|\bsend\w*\s+me\s+back",
    r"\bknows?\s+where\s+i\s+live\b|\b(is|are)\s+outside\s+(my|the|again)\b|\bif i don'?t pay\b|\bunless i pay\b",
    r"уб[ьъ]?[её]т|убить|уб[ьъ]?ют|угрож|гроз|шантаж|задержали|похитили|избили|пытали|ищут|узнал|полици|отдел|"
    r"родн|родственник|семь[яеи]|отец|мать|мама|папа|брат|дяд|муж|запер|запрут|замуж|женить",
)]
FLEE = [re.compile(p, _I) for p in (
    r"\b(escape|flee|fleeing|run away|get out|hide|hiding)\b",
    r"бежать|сбежать|уехать|выбраться|спрятаться|скрыться",
)]
KINDS = (("self_harm", SELF_HARM), ("violence", VIOLENCE), ("flee", FLEE))


# Danger told in one's own words, matched by three things together rather than by a phrase: the
# writer speaks of themselves, of now (tonight, again, for four days), and of a threat (watching,
# coming, hiding, took my passport). None of the 374 gold questions that are not in danger has all three.
FIRST_PERSON = re.compile(r"\b(i|i'?m|i am|me|my|we|us|our)\b|\b(я|меня|мне|мой|моя|мы|нас|нам)\b", _I)
NOW = re.compile(r"\b(tonight|today|tomorrow|right now|now|again|this (morning|evening|week)|any (minute|moment)|"
                 r"(every|third|3rd|second|2nd) night|for (\d+|two|three|four|five) (days|nights))\b|"
                 r"\b(сегодня|завтра|сейчас|ночью|опять|снова|уже)\b", _I)
THREAT = re.compile(r"\b(kill\w*|hurt|beat\w*|hit me|attack\w*|rape\w*|threat\w*|watch\w*|follow\w*|outside|"
                    r"waiting for me|coming|looking for me|hunt\w*|find me|found me|take me|locked|trapped|"
                    r"blackmail\w*|expose me|out me|honou?r|weapon|knife|gun|hiding|asking (around )?about me|"
                    r"took my (passport|phone|documents|papers)|knows? about me|found out|summon\w*|disappear\w*|"
                    r"stalk\w*|(found|read|saw|went through|checked) my (messages|chats?|phone|photos|texts|profile)|"
                    r"calling (the )?police|call(ing|ed)? the police on me|report(ing)? me)\b|(убь|убит|угрож|избил|избива|следят|следит|ищут|ждут|караул|приед|прид[уё]т|"
                    r"заберут|найдут|шантаж|запер)", _I)


def in_distress(text: str) -> bool:
    """All three in one sentence: "When I claimed asylum I only talked about being beaten... Now my lawyer says..."
    tells of past harm and a procedure now, not of a threat now (set m, m40)."""
    return any(FIRST_PERSON.search(s) and NOW.search(s) and THREAT.search(s)
               for s in re.split(r"(?<=[.?!])\s+", text))


PAST_YEAR = re.compile(r"\b(19\d\d|20[01]\d|202[0-5])\b")  # a year before this one (2026)


FIGURATIVE = re.compile(r"\b(it|that|this)\s+(\w+\s+)?(hurt|harm)\w*\s+(me|my|us)\b", _I)  # "will it hurt me (my case)"
# Laughter: "my dad will kill me, i dented his car 😂" is a figure of speech (danger_messages.jsonl: 6 of the 15 calm
# messages the expressions flagged laughed); only the threat to kill goes, so "they're holding me at the station right
# now ... lol" stays danger, and the meaning (chat/danger.py) still reads the whole message
LAUGH = re.compile(r"\b(lol|lmao|rofl|haha\w*|xd+|хд+|ксд+|jk|хаха\w*|ахах\w*|лол)\b|[\U0001F602\U0001F923\U0001F605\U0001F606\U0001F639]",
                   re.I)
KILL_IDIOM = re.compile(r"\b(kill|murder)\w*\s+me\b|\bkilling\s+me\b|меня\s+(при)?уб[ьъ]?[её]т|(при)?уб[ьъ]?[её]т\s+меня", _I)


# A question about a complaint or a court case: its "if I was detained..." is the case's premise, not a cry for help;
# only an if-clause told in the past is a premise ("if my brothers find me they will kill me" stays a threat)
REMEDY = re.compile(r"\b(complain\w*|appeal\w*|court|ECHR|ECtHR|Strasbourg|tribunal|sue|zhalob\w*|sud(a|u|om|e|y)?|"
                    r"ESPCh|apell\w*|obzhal\w*)\b|жалоб\w*|\bсуд\w*|ЕСПЧ|апелляци\w*|обжалова\w*", _I)
PREMISE = re.compile(r"^(если|esli)\s+(меня|menya|я|ya)\s+(\w+\s+)?\w+(ли|ла|л|li|la|l)\b|"
                     r"^if\s+(i|they)\s+(was|were|had|have been|got|\w+ed)\b", _I)


def _present(text: str) -> str:
    """`text` without its clauses dated to a past year ("if I was detained in 2024, can I still
    complain?" tells of harm that is history, not of danger now), without "it hurts me" said of a case, and, in a
    question about a complaint or a court, without an if-clause told in the past ("can I still complain to the ECHR
    if I was detained this year?": set w, w48)."""
    text = FIGURATIVE.sub(" ", KILL_IDIOM.sub(" ", text) if LAUGH.search(text) else text)
    remedy = bool(REMEDY.search(text))
    return " ".join(c for c in re.split(r"(?<=[.,;:?!])\s+|\s+(?=(?:если|if|esli|when|когда|and now|but now|а теперь|но теперь)\b)",
                                        text, flags=re.I)
                    if c and not PAST_YEAR.search(c) and not (remedy and PREMISE.search(c)))


def danger_kind(question: str) -> str | None:
    """Which kind of danger a question signals: "self_harm" (suicidal thoughts, self-harm),
    "violence" (threats or violence from family, police or others), "flee" (an urgent need to
    get away), "danger" (danger of no kind named: "I'm scared"); None when it signals none.
    Russian typed in Latin letters ("brat skazal chto ubet menya") is also read in Cyrillic,
    so the Russian patterns see it."""
    from kb.translit import is_translit, to_cyrillic

    texts = [_present(t) for t in [question] + ([to_cyrillic(question)] if is_translit(question) else [])]
    if not any(p.search(text) for text in texts for p in DANGER) and not any(map(in_distress, texts)):
        return None
    return kind_of(texts)


def kind_of(texts: list[str]) -> str:
    """The kind of danger a message in danger tells of (`danger_kind`), from its words; "danger" when they name
    none (also for a message read as danger from its meaning: chat/danger.py)."""
    for kind, patterns in KINDS:
        if any(p.search(text) for text in texts for p in patterns):
            return kind
    return "danger"


def asks_private_data(question: str) -> bool:
    return any(p.search(question) for p in PRIVATE_DATA)


def asks_for_a_service(question: str) -> bool:
    """A request for a provider, venue, timetable, price or forecast (SERVICE), not for knowledge."""
    return any(p.search(question) for p in SERVICE)


def is_injection(question: str) -> bool:
    return any(p.search(question) for p in INJECTION)
