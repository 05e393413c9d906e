"""Passwords too common to allow (口令黑名单): the most frequent entries of public breach corpora, in Latin
and pinyin, of 10 characters or more (shorter ones fail the length rule anyway) plus the short classics
for clarity. Compared case-insensitively. A small shipped list by design: it stops the guesses an attacker
tries first, without a download."""

from __future__ import annotations

COMMON_PASSWORDS: frozenset[str] = frozenset(
    """
    123456 12345678 123456789 1234567890 12345678910 123123123 1234512345 0123456789 9876543210 987654321
    111111 11111111 1111111111 000000 00000000 0000000000 888888 88888888 8888888888 666666 66666666
    6666666666 5201314 52013145201314 1314520 woaini1314 woaini520 woaini123 woaini1234 iloveyou iloveyou1
    iloveyou123 password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword
    p@ssword123 qwerty qwerty123 qwertyuiop qwertyuiop123 qwer1234 qwer123456 1qaz2wsx 1qaz2wsx3edc
    1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y zaq12wsx asdfghjkl asdfghjkl123 zxcvbnm zxcvbnm123 abc123 abc12345
    abc123456 abc1234567 abcd1234 abcd123456 a123456 a12345678 a123456789 a1234567890 aa123456 aa12345678
    admin admin123 admin1234 admin12345 administrator administrator1 root123456 changeme changeme123
    welcome welcome123 welcome1234 letmein letmein123 sunshine sunshine123 princess princess123
    football football123 baseball dragon dragon123 monkey monkey123 master master123 superman batman
    trustno1 whatever starwars computer michael jennifer shadow liverpool chelsea arsenal
    iloveyou520 qq123456 qq123456789 123qwe 123qweasd 123qweasdzxc qweasdzxc qweasd123 asd123456
    zxc123456 147258369 123654789 159357 1597534682 789456123 7894561230 1472583690 3141592653
    court123456 fayuan123 fayuan123456 zhixing123 zhixing123456 judge123456 password2024 password2025
    password2026 password2027 admin2024 admin2025 admin2026 admin2027 onematter one-matter onematter123
    """.split()
)
