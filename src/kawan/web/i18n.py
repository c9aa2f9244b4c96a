"""The public check's words in the region's languages, and choosing one (pure).

`choose` takes `?lang=` first, then the best `Accept-Language` match, then English.
Every language has every key: a test fails when one is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT = "en"
LANGUAGES: dict[str, str] = {
    "en": "English",
    "vi": "Tiếng Việt",
    "th": "ไทย",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
}

EN: dict[str, str] = {
    "title": "Check before you pay",
    "intro": "Is this phone number, bank account, website or wallet reported as a scam? "
    "Check it here before you pay or share anything.",
    "label_value": "Phone number, account, website, e-mail or wallet",
    "placeholder": "e.g. 0912 345 678",
    "label_country": "Country (for numbers written without +)",
    "any_country": "Any",
    "button": "Check",
    "checked": "You checked",
    "reported-as-scam": "Reported as scam",
    "unverified-reports": "Unverified reports",
    "no-reports": "No reports",
    "verified-official": "Verified official",
    "counts": "{n} reports in {m} countries",
    "counts_one": "1 report in 1 country",
    "advice_reported-as-scam": "Do not pay, do not share codes or passwords, and stop all "
    "contact. If you have already paid, call your bank now and report it to the police.",
    "advice_unverified-reports": "Someone has reported this, but not often enough to confirm "
    "it. Be careful: check through the official website or hotline before you pay.",
    "advice_no-reports": "Nobody has reported this yet. That does not prove it is safe: "
    "scammers change numbers often. Never pay anyone who pressures you to hurry.",
    "advice_verified-official": "This belongs to {name}. Scammers can fake caller ids and "
    "sender names: if in doubt, hang up and call the official number yourself.",
    "demo": "Demo data: this entry is an example, not a real official listing.",
    "dispute_ask": "Is this yours, and are the reports wrong?",
    "dispute_link": "Tell us",
    "dispute_title": "Dispute the reports",
    "dispute_explain": "Why are the reports wrong?",
    "dispute_contact": "How can an officer reach you? (phone or e-mail)",
    "dispute_send": "Send",
    "dispute_thanks": "Thank you. An officer will review your dispute.",
    "error_invalid": "This does not look like a phone number, account, website, e-mail or "
    "wallet. Please check what you typed.",
    "error_rate": "Too many checks from your connection. Please come back in {wait}.",
    "error_quota": "You have used today's checks. Please come back in {wait}.",
    "error_other": "The check is not available right now. Please try again later.",
    "seconds": "{n} seconds",
    "minutes": "{n} minutes",
    "hours": "{n} hours",
    "footer": "Counts come from police and CERT reports in the ASEAN+3 countries that allow "
    "public counts. No personal data and no report text are ever shown.",
    "language": "Language",
}

VI: dict[str, str] = {
    "title": "Kiểm tra trước khi chuyển tiền",
    "intro": "Số điện thoại, tài khoản ngân hàng, trang web hay ví này có bị báo cáo lừa đảo "
    "không? Hãy kiểm tra tại đây trước khi chuyển tiền hoặc chia sẻ thông tin.",
    "label_value": "Số điện thoại, tài khoản, trang web, e-mail hoặc ví",
    "placeholder": "ví dụ 0912 345 678",
    "label_country": "Quốc gia (cho số viết không có +)",
    "any_country": "Bất kỳ",
    "button": "Kiểm tra",
    "checked": "Bạn đã kiểm tra",
    "reported-as-scam": "Đã bị báo cáo lừa đảo",
    "unverified-reports": "Có báo cáo chưa xác minh",
    "no-reports": "Chưa có báo cáo",
    "verified-official": "Chính thức, đã xác minh",
    "counts": "{n} báo cáo tại {m} quốc gia",
    "counts_one": "1 báo cáo tại 1 quốc gia",
    "advice_reported-as-scam": "Đừng chuyển tiền, đừng cung cấp mã OTP hay mật khẩu và "
    "ngừng liên lạc. Nếu đã chuyển tiền, hãy gọi ngay cho ngân hàng và báo công an.",
    "advice_unverified-reports": "Đã có người báo cáo, nhưng chưa đủ để xác nhận. Hãy cẩn "
    "thận: kiểm tra qua trang web hoặc đường dây nóng chính thức trước khi chuyển tiền.",
    "advice_no-reports": "Chưa ai báo cáo. Điều đó không có nghĩa là an toàn: kẻ lừa đảo "
    "thường đổi số. Đừng bao giờ chuyển tiền cho người hối thúc bạn.",
    "advice_verified-official": "Đây là của {name}. Kẻ lừa đảo có thể giả mạo số gọi đến và "
    "tên người gửi: nếu nghi ngờ, hãy cúp máy và tự gọi số chính thức.",
    "demo": "Dữ liệu minh họa: mục này là ví dụ, không phải danh sách chính thức thật.",
    "dispute_ask": "Đây là của bạn và các báo cáo bị sai?",
    "dispute_link": "Hãy cho chúng tôi biết",
    "dispute_title": "Khiếu nại báo cáo",
    "dispute_explain": "Vì sao các báo cáo sai?",
    "dispute_contact": "Cán bộ liên hệ với bạn bằng cách nào? (điện thoại hoặc e-mail)",
    "dispute_send": "Gửi",
    "dispute_thanks": "Cảm ơn bạn. Cán bộ sẽ xem xét khiếu nại của bạn.",
    "error_invalid": "Đây không giống số điện thoại, tài khoản, trang web, e-mail hay ví. "
    "Vui lòng kiểm tra lại.",
    "error_rate": "Bạn đã kiểm tra quá nhiều lần. Vui lòng quay lại sau {wait}.",
    "error_quota": "Bạn đã dùng hết lượt kiểm tra hôm nay. Vui lòng quay lại sau {wait}.",
    "error_other": "Hiện không thể kiểm tra. Vui lòng thử lại sau.",
    "seconds": "{n} giây",
    "minutes": "{n} phút",
    "hours": "{n} giờ",
    "footer": "Số liệu lấy từ báo cáo của công an và CERT các nước ASEAN+3 cho phép công bố "
    "số liệu. Không bao giờ hiển thị dữ liệu cá nhân hay nội dung báo cáo.",
    "language": "Ngôn ngữ",
}

TH: dict[str, str] = {
    "title": "ตรวจสอบก่อนโอน",
    "intro": "เบอร์โทร บัญชีธนาคาร เว็บไซต์ หรือกระเป๋าเงินนี้ถูกแจ้งว่าเป็นมิจฉาชีพหรือไม่ "
    "ตรวจสอบที่นี่ก่อนโอนเงินหรือให้ข้อมูลใด ๆ",
    "label_value": "เบอร์โทร บัญชี เว็บไซต์ อีเมล หรือกระเป๋าเงิน",
    "placeholder": "เช่น 081 234 5678",
    "label_country": "ประเทศ (สำหรับเบอร์ที่ไม่มี +)",
    "any_country": "ทุกประเทศ",
    "button": "ตรวจสอบ",
    "checked": "คุณตรวจสอบ",
    "reported-as-scam": "ถูกแจ้งว่าเป็นมิจฉาชีพ",
    "unverified-reports": "มีการแจ้งที่ยังไม่ยืนยัน",
    "no-reports": "ไม่มีการแจ้ง",
    "verified-official": "ช่องทางทางการที่ยืนยันแล้ว",
    "counts": "{n} รายงานใน {m} ประเทศ",
    "counts_one": "1 รายงานใน 1 ประเทศ",
    "advice_reported-as-scam": "อย่าโอนเงิน อย่าให้รหัส OTP หรือรหัสผ่าน และหยุดติดต่อ "
    "หากโอนไปแล้ว โทรหาธนาคารทันทีและแจ้งตำรวจ",
    "advice_unverified-reports": "มีผู้แจ้งแล้ว แต่ยังไม่มากพอจะยืนยัน โปรดระวัง: "
    "ตรวจสอบผ่านเว็บไซต์หรือสายด่วนทางการก่อนโอนเงิน",
    "advice_no-reports": "ยังไม่มีใครแจ้ง แต่ไม่ได้แปลว่าปลอดภัย มิจฉาชีพเปลี่ยนเบอร์บ่อย อย่าโอนเงินให้ใครที่เร่งรัดคุณ",
    "advice_verified-official": "นี่เป็นของ {name} มิจฉาชีพปลอมเบอร์และชื่อผู้ส่งได้ "
    "หากสงสัย ให้วางสายแล้วโทรกลับเบอร์ทางการด้วยตนเอง",
    "demo": "ข้อมูลตัวอย่าง: รายการนี้เป็นตัวอย่าง ไม่ใช่รายชื่อทางการจริง",
    "dispute_ask": "นี่เป็นของคุณ และการแจ้งไม่ถูกต้องใช่ไหม",
    "dispute_link": "แจ้งเรา",
    "dispute_title": "โต้แย้งการแจ้ง",
    "dispute_explain": "ทำไมการแจ้งจึงไม่ถูกต้อง",
    "dispute_contact": "เจ้าหน้าที่จะติดต่อคุณได้อย่างไร (โทรศัพท์หรืออีเมล)",
    "dispute_send": "ส่ง",
    "dispute_thanks": "ขอบคุณ เจ้าหน้าที่จะตรวจสอบคำโต้แย้งของคุณ",
    "error_invalid": "ข้อความนี้ไม่เหมือนเบอร์โทร บัญชี เว็บไซต์ อีเมล หรือกระเป๋าเงิน โปรดตรวจสอบสิ่งที่พิมพ์",
    "error_rate": "ตรวจสอบบ่อยเกินไปจากการเชื่อมต่อของคุณ โปรดกลับมาใหม่ใน {wait}",
    "error_quota": "คุณใช้สิทธิ์ตรวจสอบของวันนี้หมดแล้ว โปรดกลับมาใหม่ใน {wait}",
    "error_other": "ขณะนี้ไม่สามารถตรวจสอบได้ โปรดลองใหม่ภายหลัง",
    "seconds": "{n} วินาที",
    "minutes": "{n} นาที",
    "hours": "{n} ชั่วโมง",
    "footer": "ตัวเลขมาจากรายงานของตำรวจและ CERT ในประเทศ ASEAN+3 ที่อนุญาตให้เปิดเผยจำนวน "
    "ไม่แสดงข้อมูลส่วนบุคคลหรือเนื้อหารายงานใด ๆ",
    "language": "ภาษา",
}

ID: dict[str, str] = {
    "title": "Cek sebelum transfer",
    "intro": "Apakah nomor telepon, rekening bank, situs web, atau dompet ini dilaporkan "
    "sebagai penipuan? Periksa di sini sebelum Anda membayar atau membagikan apa pun.",
    "label_value": "Nomor telepon, rekening, situs web, e-mail, atau dompet",
    "placeholder": "mis. 0812 3456 7890",
    "label_country": "Negara (untuk nomor tanpa +)",
    "any_country": "Semua",
    "button": "Periksa",
    "checked": "Anda memeriksa",
    "reported-as-scam": "Dilaporkan sebagai penipuan",
    "unverified-reports": "Laporan belum terverifikasi",
    "no-reports": "Tidak ada laporan",
    "verified-official": "Resmi, terverifikasi",
    "counts": "{n} laporan di {m} negara",
    "counts_one": "1 laporan di 1 negara",
    "advice_reported-as-scam": "Jangan transfer, jangan berikan kode OTP atau kata sandi, dan "
    "hentikan komunikasi. Jika sudah transfer, segera hubungi bank Anda dan lapor ke polisi.",
    "advice_unverified-reports": "Sudah ada yang melaporkan, tetapi belum cukup untuk "
    "dipastikan. Berhati-hatilah: periksa lewat situs atau layanan resmi sebelum membayar.",
    "advice_no-reports": "Belum ada yang melaporkan. Itu tidak berarti aman: penipu sering "
    "berganti nomor. Jangan pernah membayar orang yang mendesak Anda.",
    "advice_verified-official": "Ini milik {name}. Penipu bisa memalsukan nomor penelepon dan "
    "nama pengirim: jika ragu, tutup telepon dan hubungi sendiri nomor resminya.",
    "demo": "Data demo: entri ini hanya contoh, bukan daftar resmi yang sebenarnya.",
    "dispute_ask": "Apakah ini milik Anda dan laporannya keliru?",
    "dispute_link": "Beri tahu kami",
    "dispute_title": "Ajukan keberatan",
    "dispute_explain": "Mengapa laporan itu keliru?",
    "dispute_contact": "Bagaimana petugas dapat menghubungi Anda? (telepon atau e-mail)",
    "dispute_send": "Kirim",
    "dispute_thanks": "Terima kasih. Petugas akan meninjau keberatan Anda.",
    "error_invalid": "Ini tidak tampak seperti nomor telepon, rekening, situs web, e-mail, "
    "atau dompet. Periksa kembali yang Anda ketik.",
    "error_rate": "Terlalu banyak pemeriksaan dari koneksi Anda. Silakan kembali dalam {wait}.",
    "error_quota": "Jatah pemeriksaan Anda hari ini sudah habis. Silakan kembali dalam {wait}.",
    "error_other": "Pemeriksaan sedang tidak tersedia. Silakan coba lagi nanti.",
    "seconds": "{n} detik",
    "minutes": "{n} menit",
    "hours": "{n} jam",
    "footer": "Angka berasal dari laporan polisi dan CERT di negara ASEAN+3 yang mengizinkan "
    "penghitungan publik. Data pribadi dan isi laporan tidak pernah ditampilkan.",
    "language": "Bahasa",
}

MS: dict[str, str] = {
    "title": "Semak sebelum bayar",
    "intro": "Adakah nombor telefon, akaun bank, laman web atau dompet ini dilaporkan sebagai "
    "penipuan? Semak di sini sebelum anda membayar atau berkongsi apa-apa.",
    "label_value": "Nombor telefon, akaun, laman web, e-mel atau dompet",
    "placeholder": "cth. 012-345 6789",
    "label_country": "Negara (untuk nombor tanpa +)",
    "any_country": "Semua",
    "button": "Semak",
    "checked": "Anda menyemak",
    "reported-as-scam": "Dilaporkan sebagai penipuan",
    "unverified-reports": "Laporan belum disahkan",
    "no-reports": "Tiada laporan",
    "verified-official": "Rasmi, disahkan",
    "counts": "{n} laporan di {m} negara",
    "counts_one": "1 laporan di 1 negara",
    "advice_reported-as-scam": "Jangan bayar, jangan kongsi kod TAC atau kata laluan, dan "
    "hentikan hubungan. Jika sudah membayar, hubungi bank anda segera dan buat laporan polis.",
    "advice_unverified-reports": "Ada yang melaporkan, tetapi belum cukup untuk disahkan. "
    "Berhati-hati: semak melalui laman web atau talian rasmi sebelum membayar.",
    "advice_no-reports": "Belum ada laporan. Itu tidak bermakna selamat: penipu kerap menukar "
    "nombor. Jangan sekali-kali membayar sesiapa yang mendesak anda.",
    "advice_verified-official": "Ini milik {name}. Penipu boleh memalsukan nombor pemanggil dan "
    "nama pengirim: jika ragu, letak telefon dan hubungi sendiri nombor rasmi.",
    "demo": "Data demo: entri ini contoh sahaja, bukan senarai rasmi yang sebenar.",
    "dispute_ask": "Adakah ini milik anda dan laporan itu salah?",
    "dispute_link": "Beritahu kami",
    "dispute_title": "Bantah laporan",
    "dispute_explain": "Mengapa laporan itu salah?",
    "dispute_contact": "Bagaimana pegawai boleh menghubungi anda? (telefon atau e-mel)",
    "dispute_send": "Hantar",
    "dispute_thanks": "Terima kasih. Pegawai akan menyemak bantahan anda.",
    "error_invalid": "Ini tidak kelihatan seperti nombor telefon, akaun, laman web, e-mel atau "
    "dompet. Sila semak apa yang anda taip.",
    "error_rate": "Terlalu banyak semakan dari sambungan anda. Sila kembali dalam {wait}.",
    "error_quota": "Had semakan anda untuk hari ini telah habis. Sila kembali dalam {wait}.",
    "error_other": "Semakan tidak tersedia sekarang. Sila cuba lagi kemudian.",
    "seconds": "{n} saat",
    "minutes": "{n} minit",
    "hours": "{n} jam",
    "footer": "Angka diambil daripada laporan polis dan CERT di negara ASEAN+3 yang membenarkan "
    "kiraan awam. Data peribadi dan kandungan laporan tidak pernah dipaparkan.",
    "language": "Bahasa",
}

TEXTS: dict[str, dict[str, str]] = {"en": EN, "vi": VI, "th": TH, "id": ID, "ms": MS}


def choose(asked: str | None, accept_language: str | None) -> str:
    """`?lang=` when known, else the best known `Accept-Language` entry, else English."""
    if asked:
        code = _base(asked)
        if code in TEXTS:
            return code
    for code in _preferences(accept_language or ""):
        if code in TEXTS:
            return code
    return DEFAULT


def _base(tag: str) -> str:
    """`vi-VN` -> `vi`; Malaysia's `ms`; `in` (the old code for Indonesian) -> `id`."""
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    return "id" if code == "in" else code


def _preferences(header: str) -> list[str]:
    """The languages of an Accept-Language header, most preferred first."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        ranked.append((-_quality(params), position, _base(tag)))
    return [code for _q, _p, code in sorted(ranked) if _q < 0]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def words(lang: str) -> Mapping[str, str]:
    return TEXTS.get(lang, EN)


def wait_text(lang: str, seconds: int) -> str:
    """`in 5 minutes` in the language: seconds under two minutes, else minutes or hours."""
    w = words(lang)
    if seconds < 120:
        return w["seconds"].format(n=seconds)
    if seconds < 7200:
        return w["minutes"].format(n=(seconds + 59) // 60)
    return w["hours"].format(n=(seconds + 3599) // 3600)
