//! scratch
fn main() {
    use enquiry_schema::json_schema::*;
    print!("{}", to_canonical_string(&enquiry_schema(Profile::Default, Draft::Draft2020_12)));
    let json = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00.000Z","status":"Closed","labelIDs":null,"duration":-0,"locationDetail":{"city":"x","zz":1},"x":[1]}"#;
    let e: enquiry_schema::Enquiry = serde_json::from_str(json).unwrap();
    println!("{:?}", e.status);
    println!("{}", serde_json::to_string(&e).unwrap());
    println!("{:?}", serde_json::from_str::<enquiry_schema::Enquiry>(r#"{"_id":"a","createdAt":5,"status":"x"}"#).err().map(|e| e.to_string()));
    println!("{:?}", serde_json::from_str::<enquiry_schema::Enquiry>(r#"{"createdAt":"5","status":"x"}"#).err().map(|e| e.to_string()));
    println!("{}", enquiry_schema::codes::language_codes().len());
    println!("{}", enquiry_schema::codes::country_codes().len());
}
