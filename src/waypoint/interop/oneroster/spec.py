"""The OneRoster 1.1 and 1.2 bulk CSV files Waypoint reads: columns, required fields, words.

Column names are matched exactly (case matters, as in the specification). Extension columns
start with ``metadata.`` or ``ext_`` and are kept; any other unknown column is a problem.
"""

from __future__ import annotations

V11 = "1.1"
V12 = "1.2"
VERSIONS = (V11, V12)

_COMMON = ("sourcedId", "status", "dateLastModified")

COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "orgs.csv": {
        V11: (*_COMMON, "name", "type", "identifier", "parentSourcedId"),
        V12: (*_COMMON, "name", "type", "identifier", "parentSourcedId"),
    },
    "academicSessions.csv": {
        V11: (*_COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
        V12: (*_COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    },
    "courses.csv": {
        V11: (
            *_COMMON,
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ),
        V12: (
            *_COMMON,
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ),
    },
    "classes.csv": {
        V11: (
            *_COMMON,
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ),
        V12: (
            *_COMMON,
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ),
    },
    "users.csv": {
        V11: (
            *_COMMON,
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ),
        V12: (
            *_COMMON,
            "enabledUser",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
            "userMasterIdentifier",
            "resourceSourcedIds",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
        ),
    },
    "enrollments.csv": {
        V11: (
            *_COMMON,
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ),
        V12: (
            *_COMMON,
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ),
    },
    "demographics.csv": {
        v: (
            *_COMMON,
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
            "countryOfBirthCode",
            "stateOfBirthAbbreviation",
            "cityOfBirth",
            "publicSchoolResidenceStatus",
        )
        for v in VERSIONS
    },
    "roles.csv": {
        V12: (
            *_COMMON,
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ),
    },
    "userProfiles.csv": {
        V12: (
            *_COMMON,
            "userSourcedId",
            "profileType",
            "vendorId",
            "applicationId",
            "description",
            "credentialType",
            "username",
            "password",
        ),
    },
}

REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    "orgs.csv": {v: ("sourcedId", "name", "type") for v in VERSIONS},
    "academicSessions.csv": {
        V11: ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
        V12: ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
    },
    "courses.csv": {v: ("sourcedId", "title", "orgSourcedId") for v in VERSIONS},
    "classes.csv": {
        v: (
            "sourcedId",
            "title",
            "courseSourcedId",
            "classType",
            "schoolSourcedId",
            "termSourcedIds",
        )
        for v in VERSIONS
    },
    "users.csv": {
        V11: (
            "sourcedId",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
        ),
        V12: ("sourcedId", "enabledUser", "username", "givenName", "familyName"),
    },
    "enrollments.csv": {
        v: ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role")
        for v in VERSIONS
    },
    "demographics.csv": {v: ("sourcedId",) for v in VERSIONS},
    "roles.csv": {V12: ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId")},
    "userProfiles.csv": {
        V12: ("sourcedId", "userSourcedId", "profileType", "vendorId", "credentialType")
    },
}

# Files named in the manifest as file.<name> (csv name without extension).
ROSTER_FILES = (
    "orgs.csv",
    "academicSessions.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "roles.csv",
    "userProfiles.csv",
    "enrollments.csv",
    "demographics.csv",
)
# Files OneRoster defines that a roster import does not read (gradebook and resources).
IGNORED_FILES = (
    "resources.csv",
    "courseResources.csv",
    "classResources.csv",
    "userResources.csv",
    "categories.csv",
    "lineItems.csv",
    "results.csv",
    "scoreScales.csv",
    "lineItemLearningObjectiveIds.csv",
    "lineItemScoreScales.csv",
    "resultLearningObjectiveIds.csv",
    "resultScoreScales.csv",
)
COMPANION_FILES = ("programs.csv", "staff_links.csv")

STATUS = ("active", "tobedeleted")
ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
SEX = {
    V11: ("male", "female"),
    V12: ("male", "female", "unspecified", "other"),
}
USER_ROLES = {
    V11: (
        "administrator",
        "aide",
        "guardian",
        "parent",
        "proctor",
        "relative",
        "student",
        "teacher",
    ),
    V12: (
        "aide",
        "counselor",
        "districtAdministrator",
        "guardian",
        "parent",
        "principal",
        "proctor",
        "relative",
        "siteAdministrator",
        "student",
        "systemAdministrator",
        "teacher",
    ),
}
ENROLLMENT_ROLES = {
    V11: ("administrator", "aide", "proctor", "student", "teacher"),
    V12: ("administrator", "aide", "proctor", "student", "teacher"),
}
ROLE_TYPES = ("primary", "secondary")
EXTENSION_PREFIXES = ("metadata.", "ext_")
