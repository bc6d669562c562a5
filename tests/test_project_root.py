"""project_root: which folder's files make up the project model for a PATH."""
import os

from segamp.project import project_root


def _touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").close()


def test_folder_of_projects_two_levels_down_is_its_own_project(tmp_path):
    # a tool's repository with examples/shop/{web,api}: running on examples/ must not pull the
    # tool's own sources (its pyproject.toml is the nearest manifest above) into the model
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / "pyproject.toml")
    _touch(tmp_path / "examples/shop/web/package.json")
    _touch(tmp_path / "examples/shop/api/requirements.txt")
    assert project_root(str(tmp_path / "examples")) == str(tmp_path / "examples")


def test_source_folder_without_manifests_below_belongs_to_the_app_above(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / "package.json")
    _touch(tmp_path / "src/components/Checkout.tsx")
    assert project_root(str(tmp_path / "src/components")) == str(tmp_path)


def test_installed_packages_below_do_not_make_a_project(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / "package.json")
    _touch(tmp_path / "src/node_modules/dep/package.json")
    assert project_root(str(tmp_path / "src")) == str(tmp_path)


def test_program_root_is_the_workspace_around_a_package(tmp_path):
    from segamp.project import program_root, related_programs

    (tmp_path / "package.json").write_text('{"private": true, "workspaces": ["apps/*"]}')
    _touch(tmp_path / "apps/web/package.json")
    _touch(tmp_path / "apps/web/src/a.ts")
    _touch(tmp_path / "apps/admin/package.json")
    _touch(tmp_path / "apps/admin/src/b.ts")
    web, admin = program_root(str(tmp_path / "apps/web/src/a.ts")), program_root(str(tmp_path / "apps/admin/src/b.ts"))
    assert web == admin == str(tmp_path)
    assert related_programs(web, admin)


def test_separate_apps_are_separate_programs_and_unknown_relates_to_all(tmp_path):
    from segamp.project import program_root, related_programs

    _touch(tmp_path / "web/package.json")
    _touch(tmp_path / "admin/package.json")
    web, admin = program_root(str(tmp_path / "web/src/a.ts")), program_root(str(tmp_path / "admin/src/b.ts"))
    assert (web, admin) == (str(tmp_path / "web"), str(tmp_path / "admin"))
    assert not related_programs(web, admin)
    assert related_programs(web, str(tmp_path / "web/packages/x"))   # nested: one inside the other
    assert related_programs("", admin)
