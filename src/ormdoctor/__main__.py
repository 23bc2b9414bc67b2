from ormdoctor.cli import main

raise SystemExit(main())
