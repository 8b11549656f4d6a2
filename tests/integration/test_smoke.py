from domain.actor import Role

REGISTER = """
mutation Register($input: RegisterComplaintInput!) {
  registerComplaint(input: $input) { __typename ... on Complaint { id version status } }
}
"""


async def test_a_registered_complaint_is_version_one(gql):
    data = await gql(
        REGISTER,
        {
            "input": {
                "channel": "ONLINE",
                "subject": "s",
                "content": "c",
                "complainant": {"name": "张三", "phone": "13812345678"},
            }
        },
        role=Role.INTAKE,
    )
    assert data["registerComplaint"]["version"] == 1
