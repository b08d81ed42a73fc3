//! Catalog files: lossless round trips in every format, and precise errors for
//! every kind of bad file.

use govshare_domain::item::Item;
use govshare_domain::labels::*;
use govshare_domain::lifecycle::State;
use govshare_domain::resource::{CatalogRecord, ResourceSpec, Survey};
use govshare_interchange::columns::{ITEM_COLUMNS, RESOURCE_COLUMNS, written};
use govshare_interchange::{Format, Location, read_catalog, write_catalog};

fn record(code: &str, name: &str, items: usize) -> CatalogRecord {
    CatalogRecord {
        spec: ResourceSpec {
            code: Some(code.into()),
            classification: code.split('/').next().unwrap().into(),
            name: name.into(),
            provider: "重庆市公安局".into(),
            provider_code: "11500000MB1532456X".into(),
            provider_unit: "户政管理总队".into(),
            summary: format!("{name}，含“引号”, 逗号和\n换行"),
            format_category: FormatCategory::Database,
            format_type: "Oracle".into(),
            items: (0..items)
                .map(|i| Item {
                    name: format!("信息项{i}"),
                    column: format!("xxx{i}"),
                    data_type: if i % 2 == 0 {
                        DataType::String
                    } else {
                        DataType::Date
                    },
                    length: if i % 2 == 0 { 50 } else { 10 },
                    key: i == 0,
                    required: i == 0,
                    sensitive: i == 1,
                })
                .collect(),
            sharing_type: SharingType::Conditional,
            sharing_condition: "仅用于身份核验".into(),
            sharing_method: Some(SharingMethod::Api),
            not_shared_basis: String::new(),
            open_type: OpenType::Closed,
            open_condition: String::new(),
            update_cycle: UpdateCycle::Daily,
            published_on: chrono::NaiveDate::from_ymd_opt(2021, 3, 1),
            related_codes: vec!["101001/000009".into(), "101001/000010".into()],
            keywords: vec!["户口".into(), "人口库".into()],
            themes: vec!["T01".into()],
            system_name: "人口信息管理系统".into(),
            storage_location: "市政务云".into(),
            online_link: String::new(),
            secret: false,
            survey: Survey {
                total_storage_gb: Some(12.5),
                structured_records: Some(44_020_000),
                shared_records: Some(1),
                ..Default::default()
            },
        },
        state: State::Published,
    }
}

fn sample() -> Vec<CatalogRecord> {
    let mut file = record("302001001/000003", "户口迁移证明", 0);
    file.spec.format_category = FormatCategory::ElectronicFile;
    file.spec.sharing_method = Some(SharingMethod::File);
    file.spec.survey = Survey::default();
    vec![
        record("101001/000001", "户籍人口基本信息", 5),
        record("101001/000002", "暂住人口信息", 1),
        file,
    ]
}

fn errors(bytes: &[u8], format: Format) -> Vec<Location> {
    match read_catalog(bytes, format) {
        Err(whole_file) => whole_file,
        Ok(parsed) => {
            assert!(!parsed.problems.is_empty(), "should be refused");
            parsed.problems
        }
    }
}

#[test]
fn every_format_round_trips_losslessly() {
    for format in [Format::Json, Format::Xlsx, Format::Csv] {
        let bytes = write_catalog(&sample(), format).unwrap();
        let back = read_catalog(&bytes, format).unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
        assert_eq!(
            (back.records.clone(), back.problems.len(), back.received),
            (sample(), 0, 3),
            "{format:?}"
        );
        assert_eq!(
            write_catalog(&back.records, format).unwrap(),
            bytes,
            "{format:?} second export differs"
        );
    }
}

#[test]
fn an_export_is_the_same_bytes_a_second_later() {
    let first: Vec<Vec<u8>> = [Format::Json, Format::Xlsx, Format::Csv]
        .iter()
        .map(|f| write_catalog(&sample(), *f).unwrap())
        .collect();
    // Workbooks record a creation time to the second unless told otherwise.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for (format, before) in [Format::Json, Format::Xlsx, Format::Csv].iter().zip(first) {
        assert!(
            write_catalog(&sample(), *format).unwrap() == before,
            "{format:?}: the same catalog exported to different bytes"
        );
    }
}

#[test]
fn gbk_csv_imports() {
    let utf8 = write_catalog(&sample(), Format::Csv).unwrap();
    let text = std::str::from_utf8(&utf8[3..]).unwrap();
    let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&gbk).is_err(), "really GBK bytes");
    let back = read_catalog(&gbk, Format::Csv).unwrap();
    assert_eq!(back.records, sample());
}

#[test]
fn bad_cells_are_named_by_row_and_column() {
    let csv = write_catalog(&sample(), Format::Csv).unwrap();
    let text = String::from_utf8(csv)
        .unwrap()
        .replacen("有条件共享", "有时共享", 1)
        .replacen(",日期型,", ",奇怪型,", 1);
    let errs = errors(text.as_bytes(), Format::Csv);
    let places: Vec<_> = errs
        .iter()
        .map(|e| (e.row, e.column.clone().unwrap()))
        .collect();
    assert!(
        places.contains(&(Some(2), "共享类型".to_string())),
        "{errs:?}"
    );
    assert!(
        places.contains(&(Some(3), "数据类型".to_string())),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.reason.contains("有条件共享") && e.reason.contains("有时共享"))
    );
}

#[test]
fn headers_must_be_known_and_complete() {
    let errs = errors("信息资源名称,奇怪的列\n户籍,1\n".as_bytes(), Format::Csv);
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("奇怪的列") && t.contains("未知")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("信息资源摘要") && t.contains("缺少")),
        "{text:?}"
    );
}

#[test]
fn broken_files_are_refused_whole() {
    let xlsx = write_catalog(&sample(), Format::Xlsx).unwrap();
    let truncated = &xlsx[..xlsx.len() / 2];
    assert!(errors(truncated, Format::Xlsx)[0].reason.contains("XLSX"));
    let junk: Vec<u8> = (0..50 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert!(!errors(&junk, Format::Csv).is_empty());
    assert!(!errors(&junk, Format::Json).is_empty());
    let quoting = "信息资源名称,信息资源摘要\n\"未闭合,摘要\n".as_bytes();
    assert!(!errors(quoting, Format::Csv).is_empty());
    let too_big = vec![b' '; govshare_interchange::MAX_FILE_BYTES + 1];
    assert!(errors(&too_big, Format::Json)[0].reason.contains("过大"));
    let json = errors(br#"{"resources": [{"name": 1}]}"#, Format::Json);
    assert_eq!(json[0].column.as_deref(), Some("resources[0]"));
    let mut typo = serde_json::to_value(&sample()[0]).unwrap();
    typo["sumary"] = serde_json::json!("拼错的字段");
    let typo = serde_json::to_vec(&serde_json::json!({"resources": [typo]})).unwrap();
    let json = errors(&typo, Format::Json);
    assert_eq!(
        json[0].column.as_deref(),
        Some("resources[0].sumary"),
        "{json:?}"
    );
}

#[test]
fn one_sheet_layout_with_merged_cells() {
    // Rows after the first leave the resource cells empty, as merged cells do.
    let csv = write_catalog(&sample()[..1], Format::Csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let width = written(RESOURCE_COLUMNS).count();
    let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(&text.as_bytes()[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    for row in rows.iter_mut().skip(1) {
        for c in row.iter_mut().take(width) {
            c.clear();
        }
    }
    let mut out = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(
            written(RESOURCE_COLUMNS)
                .chain(written(ITEM_COLUMNS))
                .map(|c| c.header),
        )
        .unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
    }
    let back = read_catalog(&out, Format::Csv).unwrap();
    assert_eq!(back.records, sample()[..1]);
}

#[test]
fn problems_found_later_point_at_the_right_cell() {
    let xlsx = write_catalog(&sample(), Format::Xlsx).unwrap();
    let parsed = read_catalog(&xlsx, Format::Xlsx).unwrap();
    let p = govshare_domain::Problem::new("items[3].length", "太长");
    let loc = parsed.locate(0, &p);
    assert_eq!(
        (loc.sheet.as_deref(), loc.row, loc.column.as_deref()),
        (Some("信息项"), Some(5), Some("数据长度"))
    );
    let loc = parsed.locate(1, &govshare_domain::Problem::new("sharing_condition", "x"));
    assert_eq!(
        (loc.sheet.as_deref(), loc.row, loc.column.as_deref()),
        (Some("信息资源"), Some(3), Some("共享条件"))
    );
}

/// The forms department templates in circulation write a catalog in: one 信息资源格式
/// column, 信息资源分类 with its label, 是否向社会开放 answered 是/否, short sharing
/// types, database column types with their lengths.
#[test]
fn catalog_files_in_the_forms_departments_write() {
    let csv = "信息资源分类,信息资源名称,信息资源提供方,信息资源提供方代码,信息资源摘要,信息资源格式,共享类型,共享条件,是否向社会开放,开放条件,更新周期,信息项名称,数据类型,数据长度,是否主键\n\
基础信息资源/101001,户籍人口基本信息,重庆市公安局,11500000MB1532456X,全市户籍人口,数据库/KingbaseES,有条件,凭授权,是,凭授权开放,每日,公民身份号码,VARCHAR2(18),,是\n\
,,,,,,,,,,,出生日期,DATE,,否\n\
,,,,,,,,,,,存款余额,\"NUMBER(10,2)\",,否\n\
101001 自然人,户籍迁移信息,重庆市公安局,11500000MB1532456X,迁入迁出,电子文件 pdf,无条件,,否,,每月,,,,\n\
１０１００１,人口统计,重庆市公安局,11500000MB1532456X,人口统计表,电子表格（xlsx）,不共享,,是,,每年,人口数,整型,10,是\n";
    let parsed = read_catalog(csv.as_bytes(), Format::Csv).unwrap();
    assert_eq!(parsed.problems, vec![], "every form is read");
    let r = &parsed.records;
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].spec.classification, "101001");
    assert_eq!(r[0].spec.format_category, FormatCategory::Database);
    assert_eq!(r[0].spec.format_type, "KingbaseES");
    assert_eq!(r[0].spec.sharing_type, SharingType::Conditional);
    assert_eq!(
        r[0].spec.open_type,
        OpenType::Conditional,
        "是 with a condition"
    );
    let items: Vec<(&str, DataType, u32)> = r[0]
        .spec
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.data_type, i.length))
        .collect();
    assert_eq!(
        items,
        [
            ("公民身份号码", DataType::String, 18),
            ("出生日期", DataType::Date, 10),
            ("存款余额", DataType::Number, 12),
        ]
    );
    assert_eq!(r[1].spec.classification, "101001");
    assert_eq!(
        (r[1].spec.format_category, r[1].spec.format_type.as_str()),
        (FormatCategory::ElectronicFile, "pdf")
    );
    assert_eq!(r[1].spec.sharing_type, SharingType::Unconditional);
    assert_eq!(r[1].spec.open_type, OpenType::Closed, "否");
    assert_eq!(r[2].spec.classification, "101001", "full-width digits");
    assert_eq!(
        (r[2].spec.format_category, r[2].spec.format_type.as_str()),
        (FormatCategory::Spreadsheet, "xlsx")
    );
    assert_eq!(r[2].spec.sharing_type, SharingType::NotShared);
    assert_eq!(
        r[2].spec.open_type,
        OpenType::Open,
        "是 without a condition"
    );
    // Written back, the template's own columns come out, not the forms read.
    let out = String::from_utf8(write_catalog(r, Format::Csv).unwrap()).unwrap();
    let header = out.lines().next().unwrap();
    assert!(
        header.contains("信息资源格式分类") && header.contains("开放类型"),
        "{header}"
    );
    assert!(!header.contains("是否向社会开放"), "{header}");
}

#[test]
fn forms_that_cannot_be_read_are_refused_with_row_column_and_reason() {
    let csv = "信息资源分类,信息资源名称,信息资源提供方代码,信息资源摘要,信息资源格式,共享类型,是否向社会开放,更新周期,信息项名称,数据类型,数据长度\n\
101001,甲,11500000MB1532456X,摘要,文档/pdf,无条件,也许,每日,姓名,字符型,\n\
101001,乙,11500000MB1532456X,摘要,数据库,有条件,否,每日,位置,GEOMETRY,\n";
    let parsed = read_catalog(csv.as_bytes(), Format::Csv).unwrap();
    let found: Vec<(usize, &str)> = parsed
        .problems
        .iter()
        .map(|p| (p.row.unwrap(), p.column.as_deref().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "信息资源格式"),
            (2, "是否向社会开放"),
            (2, "数据长度"),
            (3, "数据类型")
        ],
        "{:?}",
        parsed.problems
    );
    let why = |column: &str| {
        parsed
            .problems
            .iter()
            .find(|p| p.column.as_deref() == Some(column))
            .unwrap()
            .reason
            .clone()
    };
    assert!(why("信息资源格式").contains("格式分类/格式类型"));
    assert!(why("是否向社会开放").contains("“是”或“否”"));
    assert!(why("数据长度").contains("VARCHAR2(18)"));
    assert!(why("数据类型").contains("数据库类型"));
    assert!(parsed.records.is_empty());
}

/// The example in docs/catalog-files.md reads as it says.
#[test]
fn the_documented_department_example_reads() {
    let doc = include_str!("../../../docs/catalog-files.md");
    let start = doc
        .find("### An example in the forms departments write")
        .expect("the section");
    let block = &doc[start..];
    let csv = block
        .split("```csv\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a csv block");
    let parsed = read_catalog(csv.as_bytes(), Format::Csv).unwrap();
    assert_eq!(parsed.problems, vec![]);
    let open: Vec<OpenType> = parsed.records.iter().map(|r| r.spec.open_type).collect();
    assert_eq!(
        open,
        [OpenType::Conditional, OpenType::Closed, OpenType::Open]
    );
    assert_eq!(parsed.records[0].spec.items.len(), 3);
}
