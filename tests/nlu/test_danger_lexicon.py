"""The danger lexicon: phrases fire on danger now, not on negations, hypotheticals or
words that merely contain a phrase."""
import pytest

from nlu.danger_lexicon import alarm, read, signal


@pytest.mark.parametrize("text", [
    "they locked us in the room",
    "the boss beat me again today",
    "ថៅកែវាយខ្ញុំរាល់ថ្ងៃ",
    "นายจ้างขังผมไว้ในห้อง",
    "ke vay knhom rol thngai",
    "they locked me in and want 5000 baht",  # an amount is not laughter
    "they locked the door and we don't have the key",
    "SOS they took our phones",  # capitals: a call for help
    "they don't let us leave the boat",  # the phrase's own negative verb
    "if i run away they will kill me",  # a threat, not a question
    "ถ้าหนีเขาจะฆ่าหนู",
    "nov tae knong bantob ot ban chenh pi bantob 2 khae",
    "it is like a prison here, the guards have guns",
    "នៅទីនេះដូចជាប់គុក ចេញទៅណាមិនបាន",
    "ที่นี่เหมือนติดคุก ออกไปไหนไม่ได้",
    # Held, hiding, watched while writing, and nobody to turn to.
    "i cant talk long, he is in the room",
    "the police are on their side, we cannot report",
    "ពួននៅក្រោមតុ ខ្លាចណាស់",
    "ប្អូនខ្ញុំជាប់ឃុំនៅក្នុងរោងចក្រ",
    "និយាយមិនស្រួលទេ គេនៅក្បែរ",
    "ប៉ូលិសសុទ្ធតែពួកថៅកែ ប្តឹងមិនកើត",
    "puon nov krom tok ot hean chenh",
    "prapon knhom jab khum nov phteah ke",
    "niyay ot sruol te ke merl",
    "หลบอยู่ในตู้ กลัวมาก",
    "พวกเราโดนกักตัวไว้ในโกดัง",
    "ตำรวจก็เป็นพวกเถ้าแก่ แจ้งไม่ได้",
    "พูดไม่สะดวก หัวหน้าเฝ้าอยู่",
    "แชทไม่ได้นาน เขาฟังอยู่",  # chatting, not only speaking
    "ឆាតមិនស្រួលទេ គេមើល",
    "ខ្ញុំនៅលើទូក៣ខែហើយ មិនបានឡើងគោកសោះ",  # digits beside words, danger still found
    "i cant text much, they are watching",
    "chat ot sruol te, ke merl",
    # "No longer want to live" as well as "do not want to live".
    "i no longer want to live, they keep my passport",
    "ខ្ញុំលែងចង់រស់ទៀតហើយ គេមិនឲ្យចេញ",
    "nhom leng jong ros teat, ke ot oy tov na",
    # "Cannot leave either": the particle ក៏ / kor / ก็ between.
    "ke yok passport hz, chenh kor min ban",
    "គេយកលិខិតឆ្លងដែនហើយ ចេញក៏មិនបាន",
    "เขายึดพาสปอร์ต ออกไปไหนก็ไม่ได้",
    # Kicked, slapped, pulled by the hair, tied up; without water or food for days.
    "me kar teak knhom rol prik",
    "boss teah oun nov muk kamkor teang os",
    "ke tanh sok kon srey knhom ouch chol lan",
    "ke chorng jeung yerng tuk krom pteah",
    "yerng ot mean tek phoek 3 thngai hz nov leu tuk",
    "គេទាញសក់ប្អូនខ្ញុំ អូសចូលបន្ទប់",
    "អត់មានបាយញ៉ាំ ៣ថ្ងៃហើយ គេមិនឲ្យចេញ",
    "หัวหน้ากระชากผมหนูลากไปหลังโกดัง",
    "ไม่ได้กินข้าวมาสามวันแล้ว เขาขังไว้",
    "he dragged my sister by the hair into the car",
    "no water 3 days on this boat",
    "ke dal muk knhom ruoch yok phone",
    "mit knhom rubuos tae taikong ot oy chol kompong",
    # Allowed to leave only once a debt is paid.
    "boss says we can leave only after the debt is paid, nobody tells us how much",
    "ថៅកែថាត្រូវសងថ្លៃឡាន ថ្លៃបន្ទប់សិន ទើបឲ្យចេញ",
    "นายจ้างบอกต้องใช้หนี้ให้หมดก่อนถึงจะให้ออก",
    "thaokae tha trov sang bomnol ruoch sen ban oy chenh",
    "boss tha luh tra tae sang luy 30000 bat ban chenh",
])
def test_danger_now_fires(text):
    assert signal(text)


@pytest.mark.parametrize("text", [
    "what if my boss locks me in, is that legal?",
    "nobody beats me, i just want to ask about overtime",
    "last year they locked us in, now I am home and want my wages",
    "พิมพ์ตรงนี้ปลอดภัยไหม",   # "อด" (starve) inside "ปลอดภัย" (safe) must not fire
    "สวัสดีค่ะแอดมิน",
    "โทรไม่ได้ เน็ตไม่ดี",  # cannot call, but nobody is listening
    "no one vay knhom te, boss ok dae",  # English negation in romanized Khmer
    "បងប្រុសខ្ញុំនៅលើទូក១២ឆ្នាំមុន មិនបានចុះពីទូកសោះ",  # Khmer digits: "12 years ago"
    "how much is the minimum wage",
    # Jokes: laughter marks them in every language.
    "my boss will kill me if i'm late again hahaha",
    "ថៅកែនឹងសម្លាប់ខ្ញុំបើមកយឺត ហាហា",
    "ถ้ามาสายอีก หัวหน้าฆ่าผมแน่ 555",
    "boss somlab knhom hz 😂",
    # Locked at night, but they have the key.
    "the gate is locked at night but we have our own key",
    "ยามล็อคประตูตอนกลางคืน แต่เรามีกุญแจ",
    # Romanized Khmer "sos" (សោះ) is "at all": an everyday complaint, not a call for help.
    "bay nov kanleng tveu ka ot chhnganh sos",
    "tngai nis ot mean ka ey sos",
    # A negation that runs into the phrase: "doesnt lock", "ไม่ได้โดน".
    "my boss doesnt lock us in, he only shouts",
    "ไม่ได้โดนขังครับ แค่งานหนัก",
    # A conditional that asks who to call or what the law says.
    "if the police stop me without papers, will they beat me?",
    "if my employer hits me where can i complain",
    "បើនិយោជកវាយកម្មករ តើកម្មករអាចប្តឹងនៅណា",
    "ถ้าโดนนายจ้างตี ควรแจ้งที่ไหนครับ",
    "ได้ยินว่ามีคนโดนขังในโรงงาน จริงไหม",
    "มีคนถูกกักตัวในแคมป์จริงไหม ได้ยินมา",
    # Not held: said outright, or in the past.
    "min men jab khum te, kroan te ot luy",
    "ot men chab khum te, ke oy chenh tngai atit",
    "ឆ្នាំមុនខ្ញុំជាប់ឃុំ ឥឡូវនៅស្រុកហើយ",
    "មិនមែនជាប់ឃុំទេ គ្រាន់តែចេញយប់មិនបាន",
    "ไม่ได้โดนกักตัวนะ แค่ออกดึกไม่ได้",
    "what if the police are with them, who do i call",
    # Hair and water in everyday sentences.
    "knhom chang sok mun tov tveu ka",
    "ot mean tek kdao nov bantob tek",
    "តើកាត់សក់នៅណាថោកបង",
    "ไปตัดผมมาแล้ว สวยไหม",
    "she pulled her hair into a ponytail before work",
    # Debts that do not hold anyone.
    "my microfinance loan grows every month, how do i negotiate",
    "បំណុលម៉ាយក្រូកើនរាល់ខែ ធ្វើម៉េចទើបចរចាបាន",
    "หนี้บัตรเครดิตเพิ่มขึ้นทุกเดือน ทำไงดี",
    "i will go home when the loan is paid, 2 months left",
    "kyom sang luy ruoch hz ban tov phteah",
    "knhom sang luy kchei ruoch hz, sabay chet",
])
def test_questions_negations_and_lookalikes_do_not(text):
    assert signal(text) is None


@pytest.mark.parametrize("text", [
    # Films and TV dramas: a cue that counts against every signal, not only the lexicon's.
    "we watched a movie about a girl who was sold, so sad",
    "កូនស្រីខ្ញុំចូលចិត្តមើលរឿងភាគថៃ",
    "yub menh merl rerng khmaoch klach ot ban deik",
    "เมื่อคืนดูละครเรื่องใหม่ สนุกมาก",
    "last year we could not leave the farm",
])
def test_films_and_past_stories_are_hypothetical_cues(text):
    phrase, hypothetical = read(text)
    assert hypothetical and phrase is None


@pytest.mark.parametrize("text", [
    "sos", "SOS!!!", "please help me 😭", "save us", "ជួយផងៗ", "ជួយខ្ញុំផងបង",
    "juoy phong2", "chuoy knhom phong", "ช่วยด้วยค่ะ", "ช่วยด้วย ช่วยด้วย",
    "ជួយផង ช่วยด้วย help me",  # several calls, several languages
])
def test_a_message_that_is_only_a_call_for_help_is_an_alarm(text):
    assert alarm(text)


@pytest.mark.parametrize("text", [
    "help",  # also how people ask how the bot works
    "can you help me with my contract",
    "help me find a job in thailand",
    "ជួយផង គេកំពុងដេញតាមអូន",  # more than a call: the other signals read it
    "juoy phong tha knhom trov tver ey",
    "ช่วยที่",  # a tone mark makes another word ("ที่", at), not "ช่วยที" (help quick)
    "hello",
])
def test_a_call_for_help_among_other_words_is_not_one(text):
    assert alarm(text) is None
