//! `validate_arrow`: each row of an Arrow string or binary column is one record.
//!
//! The column comes in and the findings go out through the Arrow C data interface, as the
//! PyCapsule protocol (`__arrow_c_array__`) carries it: pyarrow, Polars, DuckDB and Spark's
//! `mapInArrow` batches all speak it, and no Python object is made per row. The import is
//! zero-copy (the Arrow buffers stay owned by their producer until the imported array is
//! dropped); rows are split into contiguous ranges checked on scoped threads with the GIL
//! released, and the findings are concatenated in row order.
//!
//! Why arrow-rs's `arrow-array` with its `ffi` feature and not `pyo3-arrow`: the former is the
//! array types plus the C data interface and nothing else (no compute kernels, no casting, no
//! IPC), and it does not tie this crate's PyO3 version to another crate's release cycle.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::ffi::{from_ffi, to_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::types::{BinaryViewType, ByteArrayType, ByteViewType, StringViewType};
use arrow_array::{
    make_array, Array, ArrayRef, GenericByteArray, GenericByteViewArray, Int64Array, StringArray,
    StructArray,
};
use arrow_schema::{DataType, Field};
use enquiry_validator::{Finding, Validator};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// Rows per thread below which one thread does the work.
const MIN_ROWS_PER_THREAD: usize = 256;

/// The findings of an Arrow column, exported on demand through `__arrow_c_array__` as a struct
/// array with one row per finding.
#[pyclass(frozen, module = "enquiry_contract._native")]
pub struct ArrowFindings {
    array: StructArray,
}

#[pymethods]
impl ArrowFindings {
    /// The findings as `(schema, array)` PyCapsules (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        // Only the natural schema is offered; a consumer casts if it wants another.
        let _ = requested_schema;
        let (array, schema) =
            to_ffi(&self.array.to_data()).map_err(|err| PyValueError::new_err(err.to_string()))?;
        let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
        let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
        Ok((schema, array))
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }
}

/// Imports the array behind the capsules, validates every non-null row and builds the
/// findings.
pub(crate) fn validate(
    py: Python<'_>,
    validator: &Arc<Validator>,
    schema: &Bound<'_, PyAny>,
    array: &Bound<'_, PyAny>,
    row_offset: u64,
) -> PyResult<ArrowFindings> {
    let column = import(schema, array)?;
    let findings = py.detach(|| check_column(validator, &column))?;
    Ok(ArrowFindings {
        array: findings_array(row_offset, &findings),
    })
}

fn import(schema: &Bound<'_, PyAny>, array: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let capsule_error = |_| PyTypeError::new_err("expected the PyCapsules of __arrow_c_array__");
    let schema = schema.cast::<PyCapsule>().map_err(capsule_error)?;
    let array = array.cast::<PyCapsule>().map_err(capsule_error)?;
    let schema_ptr = schema
        .pointer_checked(Some(c"arrow_schema"))?
        .cast::<FFI_ArrowSchema>();
    let array_ptr = array
        .pointer_checked(Some(c"arrow_array"))?
        .cast::<FFI_ArrowArray>();
    #[allow(
        unsafe_code,
        reason = "the Arrow C data interface is a C ABI: the capsules' names were checked above, so \
                  they hold an ArrowSchema and an ArrowArray; `from_raw` moves the array out and \
                  leaves a released one behind, as the PyCapsule protocol requires of a consumer"
    )]
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr());
        from_ffi(array, schema_ptr.as_ref())
    }
    .map_err(|err| PyValueError::new_err(format!("cannot import the Arrow array: {err}")))?;
    Ok(make_array(data))
}

/// One finding with the row it belongs to.
type RowFinding = (u64, Finding);

fn check_column(validator: &Validator, column: &ArrayRef) -> PyResult<Vec<RowFinding>> {
    match column.data_type() {
        DataType::Utf8 => Ok(check_bytes(validator, column.as_string::<i32>())),
        DataType::LargeUtf8 => Ok(check_bytes(validator, column.as_string::<i64>())),
        DataType::Binary => Ok(check_bytes(validator, column.as_binary::<i32>())),
        DataType::LargeBinary => Ok(check_bytes(validator, column.as_binary::<i64>())),
        DataType::Utf8View => Ok(check_views::<StringViewType>(validator, column.as_string_view())),
        DataType::BinaryView => {
            Ok(check_views::<BinaryViewType>(validator, column.as_binary_view()))
        }
        other => Err(PyTypeError::new_err(format!(
            "the column is {other}; expected string, large_string, string_view, binary, large_binary or binary_view holding JSON records"
        ))),
    }
}

fn check_bytes<T>(validator: &Validator, array: &GenericByteArray<T>) -> Vec<RowFinding>
where
    T: ByteArrayType,
    T::Native: AsRef<[u8]>,
{
    check_rows(validator, array.len(), |row| {
        array.is_valid(row).then(|| array.value(row).as_ref())
    })
}

fn check_views<T>(validator: &Validator, array: &GenericByteViewArray<T>) -> Vec<RowFinding>
where
    T: ByteViewType + ?Sized,
    T::Native: AsRef<[u8]>,
{
    check_rows(validator, array.len(), |row| {
        array.is_valid(row).then(|| array.value(row).as_ref())
    })
}

/// Checks rows `0..len` (`value` gives a row's bytes, `None` for null rows, which are skipped)
/// on scoped threads, each taking a contiguous range; findings come back in row order.
fn check_rows<'a, F>(validator: &Validator, len: usize, value: F) -> Vec<RowFinding>
where
    F: Fn(usize) -> Option<&'a [u8]> + Sync,
{
    let check_range = |range: std::ops::Range<usize>| {
        let mut out = Vec::new();
        for row in range {
            if let Some(bytes) = value(row) {
                let outcome = validator.validate_record(bytes, "");
                out.extend(outcome.findings.into_iter().map(|f| (row as u64, f)));
            }
        }
        out
    };
    let threads = crate::default_jobs().min(len / MIN_ROWS_PER_THREAD).max(1);
    if threads == 1 {
        return check_range(0..len);
    }
    let per_thread = len.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|index| {
                let range = index * per_thread..((index + 1) * per_thread).min(len);
                scope.spawn(move || check_range(range))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

/// The findings table: `row`, `pointer`, `code`, `severity`, `line`, `column`, `message`,
/// `expected`, `suggestion`; rows numbered from `row_offset`.
fn findings_array(row_offset: u64, findings: &[RowFinding]) -> StructArray {
    let int = |get: fn(&RowFinding) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(
            findings
                .iter()
                .map(|f| i64::try_from(get(f)).unwrap_or(i64::MAX)),
        ))
    };
    let text = |get: fn(&Finding) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            findings.iter().map(|(_, f)| get(f)),
        ))
    };
    let optional = |get: fn(&Finding) -> Option<&str>| -> ArrayRef {
        Arc::new(StringArray::from_iter(findings.iter().map(|(_, f)| get(f))))
    };
    let columns: Vec<(&str, bool, ArrayRef)> = vec![
        ("row", false, {
            let offset = row_offset;
            Arc::new(Int64Array::from_iter_values(
                findings
                    .iter()
                    .map(|(row, _)| i64::try_from(row + offset).unwrap_or(i64::MAX)),
            ))
        }),
        ("pointer", false, text(|f| f.pointer.as_str())),
        ("code", false, text(|f| f.code.as_str())),
        ("severity", false, text(|f| f.severity.as_str())),
        ("line", false, int(|(_, f)| f.line)),
        ("column", false, int(|(_, f)| f.column)),
        ("message", false, text(|f| &f.message)),
        ("expected", true, optional(|f| f.expected.as_deref())),
        ("suggestion", true, optional(|f| f.suggestion.as_deref())),
    ];
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns
        .into_iter()
        .map(|(name, nullable, array)| {
            (Field::new(name, array.data_type().clone(), nullable), array)
        })
        .unzip();
    StructArray::new(fields.into(), arrays, None)
}
