//! Records and values shared by the tests.

use enquiry_schema::fields::{JsonType, FIELDS};
use serde_json::{json, Map, Value};

/// A record with every documented member set, valid in the strict profile (and so in the
/// default one): canonical timestamps in order, a closed enquiry with its `closedAt`, a
/// recognised `handledType`, the documented string shape of `huntedStaffTargetHistory`.
pub fn full_record() -> Value {
    serde_json::from_str(FULL_RECORD).expect("FULL_RECORD is JSON")
}

const FULL_RECORD: &str = r#"{
    "_id": "6368a2f0c1d2e3f4a5b6c7d8",
    "uniqueKey": "uk-0001",
    "createdAt": "2022-11-07T00:00:00.000Z",
    "svcID": "svc-0001",
    "inquiry": "inq-0001",
    "tag": "tag-0001",
    "visitor": "visitor-0001",
    "roomID": "room-0001",
    "initChannel": "IM",
    "omniType": "CINNOX",
    "ip": "192.0.2.10",
    "language": "en",
    "location": "HK",
    "locationDetail": {
        "regionCode": "HK",
        "subdivision": "Kowloon",
        "city": "Hong Kong",
        "province": "Hong Kong"
    },
    "platform": "web",
    "status": "closed",
    "displayCaseNumber": "C-0001",
    "channel": "Weblink",
    "destinationID": "dest-0001",
    "destinationName": "Support",
    "destinationType": "STAFF",
    "destinationEndPoint": "STAFF",
    "handledType": "STAFF",
    "handledTarget": "eid-0001",
    "handledPartyName": "Alice Example",
    "huntedStaffTargetHistory": "eid-0001",
    "type": "web",
    "id": "channel-0001",
    "maaiiDisplayName": "Example Web Chat",
    "name": "Example Third Party",
    "inquiryType": "general",
    "updatedAt": "2022-11-07T00:20:00.000Z",
    "closedAt": "2022-11-07T00:15:00.000Z",
    "inquiryGroup": "group-0001",
    "transferredParty": [{ "destinationID": "dest-0002", "at": 3 }],
    "pickedUpAt": "2022-11-07T00:01:00.000Z",
    "missedAt": "2022-11-07T00:00:30.000Z",
    "reopenedAt": "2022-11-07T00:16:00.000Z",
    "handledPartyDepartmentID": "dept-0001",
    "attachment": false,
    "staffFirstName": "Alice",
    "staffLastName": "Example",
    "visitorFirstName": "Bob",
    "visitorLastName": "Sample",
    "inquiryDeepLink": "https://example.com/enquiries/6368a2f0c1",
    "duration": 900000,
    "closeDuration": 900000,
    "labelIDs": ["label-1", "label-2"]
}"#;

/// The smallest record the default profile accepts.
pub fn minimal_record() -> Value {
    json!({
        "_id": "6368a2f0c1d2e3f4a5b6c7d9",
        "createdAt": "2022-11-07T00:00:00.000Z",
        "status": "ongoing"
    })
}

/// A value of the wrong JSON type for a member of type `expected`.
pub fn wrong_value(expected: JsonType) -> Value {
    match expected {
        JsonType::String | JsonType::StringOrArrayOfStrings => json!(5),
        JsonType::Boolean => json!("true"),
        JsonType::Number => json!("5"),
        JsonType::ArrayOfStrings => json!([1]),
        JsonType::ArrayOfObjects => json!(["not an object"]),
        JsonType::Object => json!("not an object"),
        JsonType::Array => json!("not an array"),
    }
}

/// `record` with the member at a dotted `name` (`locationDetail.city`) set to `value`, creating
/// the parent object when needed.
pub fn with_member(mut record: Value, name: &str, value: Value) -> Value {
    let mut target = record.as_object_mut().expect("records are objects");
    let mut parts: Vec<&str> = name.split('.').collect();
    let last = parts.pop().expect("a name has a key");
    for part in parts {
        target = target
            .entry(part)
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("the parent is an object");
    }
    target.insert(last.to_owned(), value);
    record
}

/// `record` without the member at a dotted `name`.
pub fn without_member(mut record: Value, name: &str) -> Value {
    let mut target = record.as_object_mut().expect("records are objects");
    let mut parts: Vec<&str> = name.split('.').collect();
    let last = parts.pop().expect("a name has a key");
    for part in parts {
        target = target
            .get_mut(part)
            .and_then(Value::as_object_mut)
            .expect("the parent exists");
    }
    target.remove(last);
    record
}

/// The documented top-level keys, in the table's order.
pub fn top_level_keys() -> Vec<&'static str> {
    FIELDS.iter().map(|rule| rule.name).collect()
}
