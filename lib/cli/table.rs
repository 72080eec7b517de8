//! Tables as fleetctl prints them: Go's `text/tabwriter` set up as
//! `tabwriter.NewWriter(out, 0, 8, 1, '\t', 0)` — cells separated by tabs, each column as wide
//! as its widest cell plus one, rounded up to a multiple of 8, and padded with TAB characters
//! (so `cat -A` shows `UNIT^I^IMACHINE`). The last cell of a line is not padded. Columns are
//! aligned per block of consecutive lines that have that column, as Go does.

const TAB_WIDTH: usize = 8;
const PADDING: usize = 1;

/// Renders `lines` (each a list of cells) the way fleetctl's tabwriter does, one `\n` after
/// each line.
pub fn render(lines: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut widths = Vec::new();
    format(&mut out, lines, &mut widths, 0, lines.len());
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn format(out: &mut String, lines: &[Vec<String>], widths: &mut Vec<usize>, mut line0: usize, line1: usize) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        // A block of lines with a cell in this column starts here.
        write_lines(out, lines, widths, line0, this);
        line0 = this;
        let mut w = 0;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(&lines[this][column]) + PADDING);
            this += 1;
        }
        widths.push(w);
        format(out, lines, widths, line0, this);
        widths.pop();
        line0 = this;
    }
    write_lines(out, lines, widths, line0, line1);
}

fn write_lines(out: &mut String, lines: &[Vec<String>], widths: &[usize], line0: usize, line1: usize) {
    for line in &lines[line0..line1] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() {
                let cellw = widths[j].div_ceil(TAB_WIDTH) * TAB_WIDTH;
                let n = cellw - width(cell);
                out.extend(std::iter::repeat_n('\t', n.div_ceil(TAB_WIDTH)));
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
        r.iter().map(|l| l.iter().map(|s| s.to_string()).collect()).collect()
    }

    #[test]
    fn like_fleetctl_list_units() {
        // fleet v1.0's own output (../shared/reference/fleet/transcripts/walkthrough.txt).
        let t = render(&rows(&[
            &["UNIT", "MACHINE", "ACTIVE", "SUB"],
            &["croc.service", "1fe6d57e.../172.30.0.11", "inactive", "dead"],
        ]));
        assert_eq!(
            t,
            "UNIT\t\tMACHINE\t\t\tACTIVE\t\tSUB\ncroc.service\t1fe6d57e.../172.30.0.11\tinactive\tdead\n"
        );
        let t = render(&rows(&[
            &["UNIT", "MACHINE", "ACTIVE", "SUB"],
            &["croc.service", "1fe6d57e.../172.30.0.11", "active", "running"],
        ]));
        assert_eq!(
            t,
            "UNIT\t\tMACHINE\t\t\tACTIVE\tSUB\ncroc.service\t1fe6d57e.../172.30.0.11\tactive\trunning\n"
        );
        assert_eq!(render(&rows(&[&["UNIT", "MACHINE", "ACTIVE", "SUB"]])), "UNIT\tMACHINE\tACTIVE\tSUB\n");
    }

    #[test]
    fn like_fleetctl_list_machines_and_unit_files() {
        let t = render(&rows(&[
            &["MACHINE", "IP", "METADATA"],
            &["1fe6d57e...", "172.30.0.11", "node=node1"],
            &["db5364f8...", "172.30.0.13", "node=node3"],
        ]));
        assert_eq!(
            t,
            "MACHINE\t\tIP\t\tMETADATA\n1fe6d57e...\t172.30.0.11\tnode=node1\ndb5364f8...\t172.30.0.13\tnode=node3\n"
        );
        let t = render(&rows(&[
            &["UNIT", "HASH", "DSTATE", "STATE", "TARGET"],
            &["croc.service", "3f979aae82f70c5fcaaea7c871731a69d50c98d8", "inactive", "inactive", "-"],
        ]));
        assert_eq!(
            t,
            "UNIT\t\tHASH\t\t\t\t\t\tDSTATE\t\tSTATE\t\tTARGET\ncroc.service\t3f979aae82f70c5fcaaea7c871731a69d50c98d8\tinactive\tinactive\t-\n"
        );
    }

    #[test]
    fn ragged_lines_align_per_block() {
        let t = render(&rows(&[&["a", "b"], &["only"], &["longer-cell", "c"]]));
        assert_eq!(t, "a\tb\nonly\nlonger-cell\tc\n");
    }
}
