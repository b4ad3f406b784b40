import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A paced output generator (Perl: starts in ~5 ms, ~5 MB, no pyenv shim):
 * `perl gen.pl RATE SECONDS` prints 100-byte numbered lines at RATE bytes/s
 * in 20 ms steps, between a begin and an end marker; the end line carries the
 * line count and the elapsed milliseconds, so a reader can check for loss.
 */
const SCRIPT = String.raw`use strict; use warnings; use Time::HiRes qw(time sleep);
$| = 1;
my ($rate, $secs) = @ARGV;
my $pad = substr('the quick brown fox jumps over the lazy dog 0123456789 ' x 3, 0, 90);
my $total = int($rate * $secs / 100);
print "\@\@GEN-" . "BEGIN\@\@\n";
my $start = time;
my $n = 0;
while ($n < $total) {
  my $due = int((time - $start) * $rate / 100) + 1;
  $due = $total if $due > $total;
  my $buf = '';
  while ($n < $due) { $buf .= sprintf("%08d %s\n", $n, $pad); $n++; }
  print $buf if length $buf;
  sleep(0.02);
}
printf("\@\@GEN-END %d %d\@\@\n", $n, (time - $start) * 1000);
`;

export const GEN_BEGIN = '@@GEN-BEGIN@@\r\n';
export const GEN_END = '@@GEN-END ';
/** Bytes per generated line on the pane stream: 100 written, LF becomes CR LF. */
export const GEN_LINE_BYTES = 101;

export function writeGenerator(dir: string): string {
  const path = join(dir, 'gen.pl');
  writeFileSync(path, SCRIPT);
  return path;
}

export function generatorLines(rate: number, seconds: number): number {
  return Math.floor((rate * seconds) / 100);
}
