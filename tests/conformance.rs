//! The cross-framework conformance suite: every case of the table, run against each adapter's
//! example application in-process (`axum::…`, `actix::…`, `warp::…`), against hookcore alone
//! as the oracle (`core::…`), and across the three adapters at once (`same::…`: identical
//! status, content type and body).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

macro_rules! suite {
    ($module:ident, $harness:ty; $($case:ident),* $(,)?) => {
        mod $module {
            $(
                #[test]
                fn $case() {
                    $crate::common::run::<$harness>($crate::common::cases::$case());
                }
            )*
        }
    };
}

macro_rules! same {
    (; $($case:ident),* $(,)?) => {
        mod same {
            $(
                #[test]
                fn $case() {
                    $crate::common::differential($crate::common::cases::$case);
                }
            )*
        }
    };
}

for_each_case!(suite!(axum, crate::common::Axum));
for_each_case!(suite!(actix, crate::common::Actix));
for_each_case!(suite!(warp, crate::common::Warp));
for_each_case!(suite!(core, crate::common::Core));
for_each_case!(same!());
