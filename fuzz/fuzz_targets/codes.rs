//! The codes and labels a department writes by hand: resource codes, classification
//! codes, ID numbers and credit codes with their check digits, region codes, declared
//! database types, dates, and the coded items' labels.
#![no_main]

use govshare_domain::classification::ResourceCode;
use govshare_domain::ids::{check_credit_code, validate_citizen_id, validate_org_code};
use govshare_domain::labels::{DataType, SharingType};
use govshare_domain::pool::Check;
use govshare_domain::pool::cleanse::parse_date;
use govshare_domain::region::validate_region_code;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(code) = ResourceCode::parse(text) {
        // A code that parses prints as itself and parses again to the same.
        let printed = ResourceCode::format(&code.classification, code.sequence);
        assert_eq!(printed, text, "{text}");
        assert_eq!(ResourceCode::parse(&printed), Ok(code));
    }
    let _ = validate_citizen_id(text);
    let _ = check_credit_code(text);
    let _ = validate_org_code(text);
    let _ = validate_region_code(text);
    let _ = DataType::parse_declared(text);
    let _ = SharingType::parse(text);
    let _ = parse_date(text);
    for check in Check::ALL {
        let settled = check.settle(text);
        let _ = check.apply(&settled);
    }
});
