//! A batch in which one column fails on (almost) every row is refused whole, early, with
//! one message that names the column and the likely cause: a file whose dates are all
//! written one unreadable way, or whose columns are shifted against the header, would
//! otherwise come back as a quarantine of every row with the same reason.

use std::collections::HashMap;

/// Rows looked at before deciding (and the fewest a decision is made on).
pub const SAMPLE_ROWS: i64 = 100;
const FEWEST_ROWS: i64 = 50;
/// The share of rows a column must fail on to stop the batch.
const FAILING_SHARE: f64 = 0.95;

/// Failures per column in the first rows of a batch.
#[derive(Default)]
pub struct ColumnFailures {
    rows: i64,
    /// Column (empty: the row as a whole) → rows it failed on, and the first of them.
    failed: HashMap<String, (i64, Example)>,
}

/// The first failure of a column: row number, the cell as given, the reason.
type Example = (i64, String, String);

impl ColumnFailures {
    /// Counts a row's problems (one count per column per row).
    pub fn add(&mut self, row_number: i64, problems: &[(String, String, String)]) {
        if self.rows >= SAMPLE_ROWS {
            return;
        }
        self.rows += 1;
        let mut seen: Vec<&str> = Vec::new();
        for (column, cell, reason) in problems {
            if seen.contains(&column.as_str()) {
                continue;
            }
            seen.push(column);
            self.failed
                .entry(column.clone())
                .or_insert_with(|| (0, (row_number, cell.clone(), reason.clone())))
                .0 += 1;
        }
    }

    /// Counts a row without problems.
    pub fn pass(&mut self) {
        if self.rows < SAMPLE_ROWS {
            self.rows += 1;
        }
    }

    /// Whether the sample is complete (`end`: the input ended before it was).
    pub fn decided(&self, end: bool) -> bool {
        self.rows == SAMPLE_ROWS || (end && self.rows >= FEWEST_ROWS)
    }

    /// The column that failed on (almost) every row looked at, with the message that
    /// stops the batch; the whole row's failures (wrong number of cells) come first.
    pub fn verdict(&self) -> Option<(String, String)> {
        if self.rows < FEWEST_ROWS {
            return None;
        }
        let mut worst: Vec<(&String, &(i64, Example))> = self
            .failed
            .iter()
            .filter(|(_, (n, _))| *n as f64 >= self.rows as f64 * FAILING_SHARE)
            .collect();
        worst.sort_by(|a, b| (!a.0.is_empty(), b.1.0).cmp(&(!b.0.is_empty(), a.1.0)));
        let (column, (n, (row, cell, reason))) = worst.first()?;
        let what = if column.is_empty() {
            "行".to_string()
        } else {
            format!("列“{column}”")
        };
        Some((
            column.to_string(),
            format!(
                "{what}在前{}行中有{n}行不符（如第{row}行“{cell}”：{reason}）。{}。整批未入池，请修正后重新提交",
                self.rows,
                likely_cause(reason)
            ),
        ))
    }
}

/// What usually makes a whole column fail with this reason.
fn likely_cause(reason: &str) -> &'static str {
    if reason.contains("该行有") {
        "每行的列数与表头不符：分隔符或文件编码可能不对（应为逗号分隔的 UTF-8 或 GBK 文本）"
    } else if reason.contains("字节") {
        "该列的值比目录登记的数据长度长：可能是列与表头错位，或目录登记的数据长度太短"
    } else if reason.contains("日期") {
        "日期的写法无法识别：可写作 2019-03-01、2019/3/1、2019年3月1日 或 20190301"
    } else if reason.contains("整数") || reason.contains("数值") {
        "该列不是数字：可能是列与表头错位"
    } else if reason.contains("必填") {
        "该列是空的：可能是列与表头错位，或导出时漏了这一列的数据"
    } else if reason.contains("代码（") {
        "该列的值既不是代码表中的代码，也不是代码的名称：请按代码表填写（代码或名称均可）"
    } else if reason.contains("校验") || reason.contains("代码") || reason.contains("号码") {
        "代码无法通过校验：可能是列与表头错位，或代码被表格软件改成了科学计数法（如 1.1E+17）"
    } else {
        "该列的格式很可能整体不对"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(column: &str, reason: &str) -> Vec<(String, String, String)> {
        vec![(column.into(), "1990/13/45".into(), reason.into())]
    }

    #[test]
    fn a_column_failing_on_every_row_is_named_with_its_cause() {
        let mut f = ColumnFailures::default();
        for row in 2..=101 {
            f.add(row, &problem("出生日期", "“1990/13/45”不是有效日期"));
        }
        assert!(f.decided(false));
        let (column, message) = f.verdict().unwrap();
        assert_eq!(column, "出生日期");
        assert!(
            message.contains("列“出生日期”在前100行中有100行不符"),
            "{message}"
        );
        assert!(message.contains("第2行"), "{message}");
        assert!(message.contains("2019年3月1日"), "{message}");
    }

    #[test]
    fn scattered_failures_and_small_batches_are_quarantined_as_usual() {
        let mut f = ColumnFailures::default();
        for row in 2..=101 {
            if row % 2 == 0 {
                f.add(row, &problem("出生日期", "不是有效日期"));
            } else {
                f.pass();
            }
        }
        assert_eq!(
            f.verdict(),
            None,
            "half the rows is not a column that is wrong"
        );
        let mut small = ColumnFailures::default();
        for row in 2..=20 {
            small.add(row, &problem("出生日期", "不是有效日期"));
        }
        assert!(!small.decided(true));
        assert_eq!(small.verdict(), None, "twenty rows go to quarantine");
    }
}
