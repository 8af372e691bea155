/**
 * What people paste around a dump: the shell prompt and command they ran (`[root@node ~]# iptables-save`,
 * `user@node:~$ sudo ipvsadm -Ln`) and iptables-nft's notice about legacy tables. Such lines become `#`
 * comments (the line count is kept, so errors still name the right line); a `-t TABLE` in the command
 * still tells the listing parser which table follows.
 */

const COMMAND = String.raw`(?:sudo\s+(?:-\S+\s+)*)?(?:\S*\/)?(?:ip6?tables(?:-legacy|-nft)?(?:-save)?|nft|ipvsadm|ipset|cat|grep)\b`;
const PROMPT = new RegExp(String.raw`^[ \t]*(?:\[[^\]\n]*\]\s?[$#]|[\w.-]+@[\w.-]+(?::[^\s$#]*)?\s?[$#]|[$#])[ \t]*(${COMMAND}[^\n]*)$`, 'gm');
const NOTICE = /^[ \t]*(Warning: iptables-legacy tables present[^\n]*)$/gm;

export function stripPasted(text: string): string {
  return text.replace(PROMPT, '# $1').replace(NOTICE, '# $1');
}
